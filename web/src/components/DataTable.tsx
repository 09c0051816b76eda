// A DSFR table (the 1.12+ structure). When it is wider than the screen, its scrolling
// container becomes a focusable, named region so that keyboard users can scroll it too.
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { Link } from "react-router-dom";
import type { SortState } from "./ListPager";

/** Sortable columns: the sort key of each header (null: not sortable) and the list's sort. */
export type TableSort = { keys: (string | null)[]; state: SortState };

export function DataTable({
  caption,
  headers,
  rows,
  captionHidden = false,
  rowHeaders = false,
  sort,
}: {
  caption: string;
  headers: ReactNode[];
  rows: ReactNode[][];
  /** Keep the caption for screen readers only (the page's heading already names the table). */
  captionHidden?: boolean;
  /** The first cell of each row names the row (th scope="row"). */
  rowHeaders?: boolean;
  /** Headers that sort the list (links kept in the address). */
  sort?: TableSort;
}) {
  const id = useId();
  const container = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const check = () => setScrolls(el.scrollWidth > el.clientWidth + 1);
    check();
    // The container's own size, and the table's (its content, fonts, a narrower window).
    const observer = new ResizeObserver(check);
    observer.observe(el);
    const table = el.querySelector("table");
    if (table) observer.observe(table);
    return () => observer.disconnect();
  }, [rows.length, headers.length]);
  // Every column has its header (a cell without one is read without a name): the end-to-end
  // tests fail on any console error.
  const mismatch = rows.findIndex((r) => r.length !== headers.length);
  useEffect(() => {
    if (mismatch >= 0) {
      console.error(`Tableau « ${caption} » : la ligne ${mismatch + 1} a ${rows[mismatch]?.length} cellules pour ${headers.length} en-têtes.`);
    }
  }, [mismatch, caption, rows, headers.length]);
  return (
    <div className="fr-table" id={`table-${id}`}>
      <div className="fr-table__wrapper">
        <div
          className="fr-table__container"
          ref={container}
          {...(scrolls ? { tabIndex: 0, role: "region", "aria-label": `${caption} (défilement horizontal)` } : {})}
        >
          <div className="fr-table__content">
            <table>
              <caption className={captionHidden ? "fr-sr-only" : undefined}>{caption}</caption>
              <thead>
                <tr>
                  {headers.map((h, i) => {
                    const key = sort?.keys[i] ?? null;
                    if (!sort || !key) {
                      return (
                        <th key={i} scope="col">
                          {h}
                        </th>
                      );
                    }
                    const active = sort.state.by === key;
                    const direction = sort.state.descending ? "descending" : "ascending";
                    return (
                      <th key={i} scope="col" aria-sort={active ? direction : undefined}>
                        <Link className="console-sort-link" to={sort.state.hrefFor(key)}>
                          {h}
                          <span aria-hidden="true">{active ? (sort.state.descending ? " ↓" : " ↑") : " ↕"}</span>
                          <span className="fr-sr-only">
                            {active
                              ? sort.state.descending
                                ? " (trié par ordre décroissant ; trier par ordre croissant)"
                                : " (trié par ordre croissant ; trier par ordre décroissant)"
                              : " (trier selon cette colonne)"}
                          </span>
                        </Link>
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  <tr key={i}>
                    {r.map((c, j) =>
                      rowHeaders && j === 0 ? (
                        <th key={j} scope="row" className="fr-cell--multiline">
                          {c}
                        </th>
                      ) : (
                        <td key={j} className="fr-cell--multiline">
                          {c}
                        </td>
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </div>
  );
}
