// « Pièces justificatives »: the documents linked to one activity, rights request or breach,
// on its page, with a small form to deposit one already linked to it.
import { useState } from "react";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { useQuery } from "../../api/useQuery";
import { QueryError } from "../../components/QueryStatus";
import { DocumentsListQuery } from "./documentQueries";
import { DocumentUploadForm } from "./DocumentUploadForm";
import { DocumentsTable } from "./DocumentsTable";

export function EvidenceSection({ targetKind, targetId, tenantId, level = 2 }: {
  targetKind: "activity" | "request" | "breach" | "processor" | "action";
  targetId: string;
  tenantId: string;
  /** The heading's level: 2 on a page, 3 inside a card titled by an h2. */
  level?: 2 | 3;
}) {
  const ctx = useAuthenticated();
  const q = useQuery(DocumentsListQuery, { linkedKind: targetKind, linkedId: targetId, first: 100, offset: 0 });
  const editable = can(ctx.roles, "editGdpr");
  const [open, setOpen] = useState(false);
  const rows = q.data?.documents.items ?? [];
  const headingId = `evidence-${targetId}`;
  return (
    <section className={level === 2 ? "fr-mt-6w" : "fr-mt-2w"} aria-labelledby={headingId}>
      {level === 2 ? (
        <h2 id={headingId} className="fr-h4">Pièces justificatives</h2>
      ) : (
        <h3 id={headingId} className="fr-h6">Pièces justificatives</h3>
      )}
      {q.error ? <QueryError error={q.error} /> : null}
      {q.data && !rows.length ? <p className="fr-text--sm">Aucune pièce justificative liée.</p> : null}
      {rows.length ? (
        <DocumentsTable caption="Pièces justificatives" rows={rows} deletable={editable} onDeleted={q.reload} />
      ) : null}
      {editable && q.data ? (
        open ? (
          <DocumentUploadForm idPrefix={`evidence-${targetKind}`} kinds={q.data.documentKinds} tenantId={tenantId}
            tenants={ctx.tenants} links={[`${targetKind}:${targetId}`]} onUploaded={() => q.reload()} />
        ) : (
          <button type="button" className="fr-btn fr-btn--secondary fr-btn--sm" onClick={() => setOpen(true)}>
            Ajouter une pièce justificative
          </button>
        )
      ) : null}
    </section>
  );
}
