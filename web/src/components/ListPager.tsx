// Every list of the console reads its page, its sort, its search and its filters from the
// address (reload, the back button and a shared link keep them), says how many results it has
// and offers its pages: the API answers `{ items, totalCount }` for every list.
import { useCallback, useMemo } from "react";
import { Link, useLocation, useSearchParams } from "react-router-dom";
import { formatNumber, plural } from "../format/fr";

/** Rows a page of the console shows (the API takes up to 500). */
export const PAGE_SIZE = 50;
/** What a person may choose as the number of rows a page (`?par=`). */
export const PAGE_SIZES = [10, 20, 50, 100] as const;

export type ListParams = {
  /** 1-based page number from `?page=` (or `?<name>-page=` for a second list of the page). */
  page: number;
  /** The address parameter of the page number, and the prefix of the sort's. */
  pageParam: string;
  prefix: string;
  offset: number;
  first: number;
  /** A parameter of the address, "" when absent. */
  get: (key: string) => string;
  /** Changes parameters (empty or null ones removed) and goes back to the first page. */
  update: (changes: Record<string, string | null | undefined>) => void;
  /** The address of this list with other parameters. */
  hrefWith: (changes: Record<string, string | null | undefined>) => string;
};

function withChanges(params: URLSearchParams, changes: Record<string, string | null | undefined>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === "") next.delete(k);
    else next.set(k, v);
  }
  return next;
}

/** A list's state in the address; `name` tells apart several lists of one page. */
export function useListParams(pageSize = PAGE_SIZE, name = ""): ListParams {
  const [params, setParams] = useSearchParams();
  const { pathname } = useLocation();
  const prefix = name ? `${name}-` : "";
  const pageParam = `${prefix}page`;
  const page = Math.max(1, Number.parseInt(params.get(pageParam) ?? "1", 10) || 1);
  // The page size chosen in the address, when it is one of those offered.
  const asked = Number(params.get(`${prefix}par`));
  const size = (PAGE_SIZES as readonly number[]).includes(asked) ? asked : pageSize;
  const update = useCallback(
    (changes: Record<string, string | null | undefined>) => setParams(withChanges(params, { ...changes, [pageParam]: null })),
    [params, setParams, pageParam],
  );
  return useMemo(
    () => ({
      page,
      pageParam,
      prefix,
      offset: (page - 1) * size,
      first: size,
      get: (key: string) => params.get(key) ?? "",
      update,
      hrefWith: (changes) => {
        const q = withChanges(params, changes).toString();
        return q ? `${pathname}?${q}` : pathname;
      },
    }),
    [page, pageParam, prefix, size, params, pathname, update],
  );
}

/** The sort of a list: `?tri=<key>&ordre=desc`, keys being the page's own (French) words. */
export type SortState = {
  by: string;
  descending: boolean;
  /** The address sorting by `key`: ascending, or the other way when it already sorts by it. */
  hrefFor: (key: string) => string;
};

export function useSort(list: ListParams, defaultKey: string, keys: readonly string[]): SortState {
  const tri = `${list.prefix}tri`;
  const ordre = `${list.prefix}ordre`;
  const asked = list.get(tri);
  const by = keys.includes(asked) ? asked : defaultKey;
  const descending = list.get(ordre) === "desc";
  return {
    by,
    descending,
    hrefFor: (key) =>
      list.hrefWith({
        [tri]: key === defaultKey ? null : key,
        [ordre]: key === by && !descending ? "desc" : null,
        [list.pageParam]: null,
      }),
  };
}

/** "105 résultats", "page 1 sur 3": always shown, announced when it changes. */
export function ResultCount({ total, list, loading }: {
  total: number | undefined;
  list: ListParams;
  loading?: boolean;
}) {
  const page = list.page;
  const pages = total === undefined ? 0 : Math.max(1, Math.ceil(total / list.first));
  const text =
    total === undefined
      ? loading
        ? "Chargement…"
        : ""
      : `${total === 0 ? "Aucun résultat" : plural(total, "résultat")}${pages > 1 ? ` · page ${formatNumber(Math.min(page, pages))} sur ${formatNumber(pages)}` : ""}`;
  return (
    <p role="status" aria-live="polite" className="fr-text--sm fr-mb-1w console-result-count">
      {text}
    </p>
  );
}

/** The pages of a list (DSFR pagination): first, previous, the pages around this one, next, last. */
export function Pagination({ total, list, label = "Pages de la liste" }: {
  total: number | undefined;
  list: ListParams;
  label?: string;
}) {
  if (total === undefined) return null;
  const pageSize = list.first;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const sizes = total > PAGE_SIZES[0] ? <PageSizeSelect list={list} label={label} /> : null;
  if (pages <= 1) return sizes;
  const current = Math.min(list.page, pages);
  const href = (p: number) => list.hrefWith({ [list.pageParam]: p === 1 ? null : String(p) });
  const around = [current - 1, current, current + 1].filter((p) => p >= 1 && p <= pages);
  const numbers = Array.from(new Set([1, ...around, pages])).sort((a, b) => a - b);
  const edge = (p: number, enabled: boolean, cls: string, text: string) => (
    <li>
      {enabled ? (
        <Link className={`fr-pagination__link ${cls}`} to={href(p)}>
          {text}
        </Link>
      ) : (
        <a className={`fr-pagination__link ${cls}`} aria-disabled="true" role="link">
          {text}
        </a>
      )}
    </li>
  );
  return (
    <div className="console-pager">
    <nav role="navigation" className="fr-pagination fr-mt-2w" aria-label={label}>
      <ul className="fr-pagination__list">
        {edge(1, current > 1, "fr-pagination__link--first", "Première page")}
        {edge(current - 1, current > 1, "fr-pagination__link--prev fr-pagination__link--lg-label", "Page précédente")}
        {numbers.map((p, i) => (
          <li key={p}>
            {i > 0 && p - numbers[i - 1] > 1 ? <span className="fr-pagination__link fr-displayed-lg" aria-hidden="true">…</span> : null}
            <Link
              className="fr-pagination__link"
              to={href(p)}
              title={`Page ${p}`}
              {...(p === current ? { "aria-current": "page" as const } : {})}
            >
              {p}
            </Link>
          </li>
        ))}
        {edge(current + 1, current < pages, "fr-pagination__link--next fr-pagination__link--lg-label", "Page suivante")}
        {edge(pages, current < pages, "fr-pagination__link--last", "Dernière page")}
      </ul>
    </nav>
    {sizes}
    </div>
  );
}

/** How many rows a page shows, kept in the address (`?par=`). */
function PageSizeSelect({ list, label }: { list: ListParams; label: string }) {
  const id = `${list.prefix}page-size`;
  return (
    <div className="fr-select-group fr-mt-2w console-page-size">
      <label className="fr-label" htmlFor={id}>
        Résultats par page<span className="fr-sr-only"> ({label.toLowerCase()})</span>
      </label>
      <select className="fr-select" id={id} value={String(list.first)} onChange={(e) => list.update({ [`${list.prefix}par`]: e.target.value })}>
        {PAGE_SIZES.map((n) => (
          <option key={n} value={String(n)}>
            {n}
          </option>
        ))}
      </select>
    </div>
  );
}
