// A list of evidence documents: title, type, date, file (download), its SHA-256, who
// deposited it, and a delete button for those who may.
import { useState } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { DataTable } from "../../components/DataTable";
import { formatBytes, formatDate, formatDateTime } from "../../format/fr";
import { DeleteDocumentMutation } from "./documentQueries";

export type DocumentRow = {
  id: string;
  tenantId: string;
  kind: { code: string; label: string };
  title: string;
  documentDate: string;
  fileName: string;
  bytes: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
  downloadUrl: string;
  links: { target: { code: string; label: string }; targetId: string }[];
};

export function DocumentsTable({ caption, rows, tenantName, deletable, onDeleted }: {
  caption: string;
  rows: DocumentRow[];
  /** Given when the list spans several communes. */
  tenantName?: ((id: string) => string) | undefined;
  deletable: boolean;
  onDeleted: () => void;
}) {
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  async function remove(d: DocumentRow) {
    if (!window.confirm(`Supprimer le document « ${d.title} » ? Son fichier sera effacé ; la suppression reste au journal d'audit.`)) return;
    try {
      await request(DeleteDocumentMutation, { id: d.id });
      setOutcome({ ok: true, text: `Le document « ${d.title} » est supprimé.` });
      onDeleted();
    } catch (e) {
      const t = errorText(e);
      if (t) setOutcome({ ok: false, text: t });
    }
  }
  return (
    <>
      {outcome ? (
        <div role={outcome.ok ? "status" : "alert"}>
          <Alert severity={outcome.ok ? "success" : "error"} small className="fr-mb-2w" description={outcome.text} />
        </div>
      ) : null}
      <DataTable
        caption={caption}
        captionHidden
        headers={["Titre", ...(tenantName ? ["Commune"] : []), "Type", "Date", "Fichier", "Empreinte SHA-256", "Déposé", ...(deletable ? ["Action"] : [])]}
        rows={rows.map((d) => [
          d.title,
          ...(tenantName ? [tenantName(d.tenantId)] : []),
          d.kind.label,
          formatDate(d.documentDate),
          <a key="dl" href={d.downloadUrl} download={d.fileName} title={`Télécharger ${d.fileName}`}>
            {d.fileName} <span className="fr-text--xs">({formatBytes(d.bytes)})</span>
          </a>,
          <code key="sha" className="fr-text--xs" title={d.sha256}>{d.sha256.slice(0, 12)}…</code>,
          `${d.uploadedBy}, ${formatDateTime(d.uploadedAt)}`,
          ...(deletable
            ? [
                <button key="del" type="button" className="fr-btn fr-btn--tertiary fr-btn--sm" onClick={() => void remove(d)}
                  aria-label={`Supprimer le document « ${d.title} »`}>
                  Supprimer
                </button>,
              ]
            : []),
        ])}
      />
    </>
  );
}
