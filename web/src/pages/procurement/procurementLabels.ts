// French words for the procurement module's codes.
export const contractStatusLabels: Record<string, string> = { draft: "non notifié", active: "en cours", expired: "terminé" };
export const categoryLabels: Record<string, string> = { travaux: "Travaux", fournitures: "Fournitures", services: "Services" };
export const thresholdLabels: Record<string, string> = {
  no_publicity: "seuil de dispense de publicité",
  national_notice: "seuil de publicité nationale (BOAMP ou JAL)",
  european: "seuil européen (procédure formalisée)",
};

/** Days from today (Paris) to a calendar day. */
export function daysUntil(day: string, now = new Date()): number {
  const today = new Intl.DateTimeFormat("fr-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "Europe/Paris" }).format(now);
  return Math.round((Date.parse(`${day}T12:00:00Z`) - Date.parse(`${today}T12:00:00Z`)) / 86_400_000);
}

/** DECP 2.0.3 values (the API checks them; they are French already). */
export const procedures = [
  "Procédure adaptée",
  "Appel d'offres ouvert",
  "Appel d'offres restreint",
  "Procédure avec négociation",
  "Marché passé sans publicité ni mise en concurrence préalable",
  "Dialogue compétitif",
];
export const priceForms = ["Unitaire", "Forfaitaire", "Mixte"];
