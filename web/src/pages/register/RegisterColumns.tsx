// The register list's visible columns, chosen by each person and kept on the server (they
// follow the person to another browser), and its bulk actions on the selected rows.
import { useEffect, useState } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { activitySheetHref, listExportHref } from "../../components/listExport";
import { ActivityColumnsQuery, ArchiveActivitiesMutation, SetActivityColumnsMutation } from "./activityQueries";

/** Shown before any choice: the register's usual columns. */
export const DEFAULT_COLUMNS = ["name", "commune", "status", "completeness", "dpia", "sensitive", "updated_at"];

/** The visible columns (the name always among them) and the column list with labels. */
export function useRegisterColumns() {
  const q = useQuery(ActivityColumnsQuery, {});
  const [chosen, setChosen] = useState<string[] | null>(null);
  useEffect(() => {
    if (q.data) setChosen(q.data.listColumns ?? null);
  }, [q.data]);
  const choices = q.data?.listColumnChoices ?? [];
  const visible = chosen ?? DEFAULT_COLUMNS;
  return { choices, visible: visible.includes("name") ? visible : ["name", ...visible], setChosen, loaded: Boolean(q.data) };
}

export function ColumnChooser({
  choices,
  visible,
  onSaved,
}: {
  choices: { code: string; label: string }[];
  visible: string[];
  onSaved: (columns: string[]) => void;
}) {
  const [draft, setDraft] = useState<string[]>(visible);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => setDraft(visible), [visible]);
  const toggle = (code: string, on: boolean) =>
    setDraft((d) => (on ? choices.map((c) => c.code).filter((c) => c === code || d.includes(c)) : d.filter((c) => c !== code)));

  async function save() {
    setMessage(null);
    try {
      const r = await request(SetActivityColumnsMutation, { columns: draft });
      onSaved(r.setListColumns);
      setMessage({ ok: true, text: "Colonnes enregistrées : vous les retrouverez sur tout navigateur." });
    } catch (e) {
      setMessage({ ok: false, text: errorText(e) ?? "Les colonnes n'ont pas pu être enregistrées." });
    }
  }

  return (
    <details className="fr-mb-3w console-columns">
      <summary className="fr-text--sm">Choisir les colonnes affichées</summary>
      <fieldset className="fr-fieldset fr-mt-2w" aria-labelledby="columns-legend">
        <legend className="fr-fieldset__legend fr-text--regular" id="columns-legend">Colonnes du registre</legend>
        {choices.map((c) => (
          <div className="fr-fieldset__element fr-fieldset__element--inline" key={c.code}>
            <div className="fr-checkbox-group fr-checkbox-group--sm">
              <input type="checkbox" id={`column-${c.code}`} name={`column-${c.code}`} checked={c.code === "name" || draft.includes(c.code)}
                disabled={c.code === "name"} onChange={(e) => toggle(c.code, e.target.checked)} />
              <label className="fr-label" htmlFor={`column-${c.code}`}>{c.label}</label>
            </div>
          </div>
        ))}
      </fieldset>
      <button type="button" className="fr-btn fr-btn--sm fr-btn--secondary" onClick={() => void save()}>Enregistrer les colonnes</button>
      <div aria-live="polite">
        {message ? <Alert severity={message.ok ? "success" : "error"} small description={message.text} className="fr-mt-2w" /> : null}
      </div>
    </details>
  );
}

/** What to do with the selected rows: archive them (one transaction), print or export them. */
export function BulkBar({
  selected,
  columns,
  editable,
  onArchived,
}: {
  selected: { id: string; version: number; name: string }[];
  columns: string[];
  editable: boolean;
  onArchived: (message: string) => void;
}) {
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = selected.map((s) => s.id);
  const n = selected.length;

  async function archive() {
    setFailure(null);
    setBusy(true);
    try {
      const r = await request(ArchiveActivitiesMutation, { items: selected.map((s) => ({ id: s.id, version: s.version })) });
      onArchived(r.archiveActivities.message);
    } catch (e) {
      setFailure(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="fr-mb-2w" role="region" aria-label="Actions sur la sélection">
      <p className="fr-text--sm fr-mb-1w" aria-live="polite" id="selection-count">
        {n === 0 ? "Aucun traitement sélectionné." : `${n} traitement${n > 1 ? "s" : ""} sélectionné${n > 1 ? "s" : ""}.`}
      </p>
      {n ? (
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
          {editable ? (
            <li>
              <button type="button" className="fr-btn fr-btn--secondary" disabled={busy} onClick={() => void archive()}>
                Archiver la sélection
              </button>
            </li>
          ) : null}
          <li>
            <a className="fr-btn fr-btn--tertiary" href={activitySheetHref(ids)} download>Imprimer la sélection (PDF)</a>
          </li>
          <li>
            <a className="fr-btn fr-btn--tertiary" href={listExportHref("activities", "xlsx", { id: ids }, columns)} download>Exporter la sélection (XLSX)</a>
          </li>
          <li>
            <a className="fr-btn fr-btn--tertiary" href={listExportHref("activities", "csv", { id: ids }, columns)} download>Exporter la sélection (CSV)</a>
          </li>
        </ul>
      ) : null}
      {failure ? <Alert severity="error" small description={failure} /> : null}
    </div>
  );
}
