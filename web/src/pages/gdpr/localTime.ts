// <input type="datetime-local"> speaks the browser's wall-clock time without a zone; the API
// speaks instants. These two convert between them.

/** An instant as the value of a datetime-local input, in the browser's time zone. */
export function toLocalInput(instant: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${instant.getFullYear()}-${pad(instant.getMonth() + 1)}-${pad(instant.getDate())}T${pad(instant.getHours())}:${pad(instant.getMinutes())}`;
}

/** The instant a datetime-local value means (null when empty or unreadable). */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
