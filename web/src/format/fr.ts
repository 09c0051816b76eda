// French formats: dates, times, amounts (the API gives integer cents), numbers, durations.
const dateFormat = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeZone: "Europe/Paris" });
const shortDateFormat = new Intl.DateTimeFormat("fr-FR", { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "Europe/Paris" });
const dateTimeFormat = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeStyle: "short", timeZone: "Europe/Paris" });
const euroFormat = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
const numberFormat = new Intl.NumberFormat("fr-FR");
const monthFormat = new Intl.DateTimeFormat("fr-FR", { month: "long", year: "numeric", timeZone: "UTC" });

/** A `Date` scalar (YYYY-MM-DD) is a calendar day: read it at noon UTC so that no time zone moves it. */
function parseDay(day: string): Date {
  return new Date(`${day}T12:00:00Z`);
}

/** Intl writes « 1 janvier »; French writes the first of the month as an ordinal, « 1er janvier ». */
function firstOfMonth(format: Intl.DateTimeFormat, date: Date): string {
  return format
    .formatToParts(date)
    .map((p) => (p.type === "day" && Number(p.value) === 1 ? "1er" : p.value))
    .join("");
}

export function formatDate(day: string | null | undefined): string {
  return day ? firstOfMonth(dateFormat, parseDay(day)) : "—";
}

export function formatShortDate(day: string | null | undefined): string {
  return day ? shortDateFormat.format(parseDay(day)) : "—";
}

export function formatDateTime(instant: string | null | undefined): string {
  return instant ? firstOfMonth(dateTimeFormat, new Date(instant)) : "—";
}

export function formatCents(cents: number | null | undefined): string {
  return cents === null || cents === undefined ? "—" : euroFormat.format(cents / 100);
}

export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : numberFormat.format(n);
}

/** "2026-11" -> "novembre 2026". */
export function formatPeriod(period: string): string {
  const [y, m] = period.split("-").map(Number);
  if (!y || !m) return period;
  return monthFormat.format(new Date(Date.UTC(y, m - 1, 1)));
}

export function formatBytes(bytes: number): string {
  const units = ["o", "Ko", "Mo", "Go", "To"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${new Intl.NumberFormat("fr-FR", { maximumFractionDigits: unit ? 1 : 0 }).format(value)} ${units[unit]}`;
}

/** "dans 3 j 4 h", "dépassé de 5 h" from a number of seconds left. */
export function formatCountdown(secondsLeft: number): string {
  const late = secondsLeft < 0;
  let s = Math.abs(secondsLeft);
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  const parts = days ? [`${days} j`, `${hours} h`] : hours ? [`${hours} h`, `${minutes} min`] : [`${minutes} min`];
  return late ? `dépassé de ${parts.join(" ")}` : `reste ${parts.join(" ")}`;
}

/** "dans 4 jours", "aujourd'hui", "en retard de 2 jours". */
export function formatDaysLeft(days: number): string {
  if (days === 0) return "échéance aujourd'hui";
  const n = Math.abs(days);
  const word = n > 1 ? "jours" : "jour";
  return days > 0 ? `reste ${n} ${word}` : `en retard de ${n} ${word}`;
}

/** Whole days from one calendar day to another (YYYY-MM-DD), negative when `to` is before. */
export function daysBetween(from: string, to: string): number {
  return Math.round((parseDay(to).getTime() - parseDay(from).getTime()) / 86_400_000);
}

/** The current month as YYYY-MM in Paris time. */
export function currentPeriod(now = new Date()): string {
  const parts = new Intl.DateTimeFormat("fr-CA", { year: "numeric", month: "2-digit", timeZone: "Europe/Paris" }).format(now);
  return parts.slice(0, 7);
}

/** "1 demande", "3 demandes" (regular French plurals). */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(n)} ${Math.abs(n) >= 2 ? pluralForm : singular}`;
}

const percentFormat = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });

/** Basis points (10 000 = 100 %) -> "72,5 %". */
export function formatBp(bp: number | null | undefined): string {
  if (bp === null || bp === undefined) return "—";
  // Rounded to the tenth half up on integers, as the server's documents round it (no binary
  // fraction decides a 5).
  const tenths = Math.floor((Math.abs(bp) + 5) / 10);
  return `${percentFormat.format((Math.sign(bp) * tenths) / 10)} %`;
}

/** A share of a commune's register (basis points, null without any activity). */
export function formatShare(bp: number | null | undefined): string {
  return bp === null || bp === undefined ? NO_ACTIVITY : formatBp(bp);
}

/** What a share of the register reads where the commune has no activity (as in the exports). */
export const NO_ACTIVITY = "aucune activité";

/** A change in basis points -> "+5 points", "−2,5 points", "stable". */
export function formatBpChange(bp: number | null | undefined): string {
  if (bp === null || bp === undefined) return "première évaluation";
  if (bp === 0) return "stable";
  const n = percentFormat.format(Math.abs(bp) / 100);
  return `${bp > 0 ? "+" : "−"}${n} ${Math.abs(bp) >= 200 ? "points" : "point"}`;
}

/** Today as YYYY-MM-DD in Paris time. */
export function today(now = new Date()): string {
  return new Intl.DateTimeFormat("fr-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "Europe/Paris" }).format(now);
}

// Names in the French order, as the server sorts them (tenants/src/collation.rs): accents,
// case, spaces and hyphens ignored first ("Béthisy-Saint-Martin" before "Bienville",
// "Saintines" before "Saint-Jean-aux-Bois").
const nameCollator = new Intl.Collator("fr", { ignorePunctuation: true });
export function compareNames(a: string, b: string): number {
  return nameCollator.compare(a, b);
}

/** An amount typed in euros ("25 000", "1 234,56", "99.9") -> cents; null when it is not one. */
export function parseEuros(text: string): number | null {
  const t = text.replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
  if (!/^\d{1,13}(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ""] = t.split(".");
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
}

/** Cents -> what the person types back ("25000,00"). */
export function centsToInput(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return "";
  return `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, "0")}`;
}
