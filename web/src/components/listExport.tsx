// Downloads of a list as the console shows it (GET /exports/gdpr/list: the list's own filters
// and sort, the visible columns) and of activities' printable sheets (PDF).

/** Filters of a list, named as the GraphQL arguments (null, undefined and "" are left out). */
export type ListFilters = Record<string, string | number | boolean | null | undefined | (string | null | undefined)[]>;

function query(params: ListFilters): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one === null || one === undefined || one === "" || one === false) continue;
      q.append(k, String(one));
    }
  }
  return q.toString();
}

export function listExportHref(list: string, format: string, filters: ListFilters, columns?: string[]): string {
  return `/exports/gdpr/list?${query({ list, format, ...filters, column: columns ?? [] })}`;
}

export function activitySheetHref(ids: string[]): string {
  return `/exports/gdpr/activity-sheet?${query({ id: ids })}`;
}

/** "Exporter la liste" in XLSX, ODS and CSV, with the list's current filters and sort. */
export function ListExportButtons({
  list,
  what,
  filters,
  columns,
}: {
  list: string;
  /** What the list holds, for the links' names (« le registre filtré »). */
  what: string;
  filters: ListFilters;
  columns?: string[];
}) {
  const formats = [
    ["xlsx", "XLSX"],
    ["ods", "ODS"],
    ["csv", "CSV"],
  ] as const;
  return (
    <div className="fr-mb-2w">
      <p className="fr-text--sm fr-mb-1w" id={`export-${list}`}>
        Exporter {what} (filtres et tri appliqués) :
      </p>
      <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm" aria-labelledby={`export-${list}`}>
        {formats.map(([f, label]) => (
          <li key={f}>
            <a className="fr-btn fr-btn--tertiary fr-btn--icon-left fr-icon-download-line" href={listExportHref(list, f, filters, columns)} download>
              {label}
              <span className="fr-sr-only"> : {what}</span>
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
