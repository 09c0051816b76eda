// The « Documents » register of proof (as in MADIS): the commune's evidence documents
// (contracts, attendance certificates, policies, procedures, signed registers…), each typed,
// dated, hashed and linked to what it proves; deposited, filtered, downloaded and deleted here.
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { useQuery } from "../../api/useQuery";
import { EmptyState } from "../../components/EmptyState";
import { SelectField } from "../../components/formFields";
import { Pagination, ResultCount, useListParams } from "../../components/ListPager";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { DocumentActivitiesQuery, DocumentsListQuery } from "./documentQueries";
import { DocumentUploadForm } from "./DocumentUploadForm";
import { DocumentsTable } from "./DocumentsTable";

export function DocumentsPage() {
  const ctx = useAuthenticated();
  const list = useListParams();
  const kind = list.get("type");
  const search = list.get("q");
  const q = useQuery(DocumentsListQuery, {
    tenantIds: ctx.tenantIds,
    kind: kind || null,
    search: search || null,
    first: list.first,
    offset: list.offset,
  });
  const editable = can(ctx.roles, "editGdpr");
  const acts = useQuery(DocumentActivitiesQuery, { tenantIds: ctx.tenantIds }, { skip: !editable });
  const rows = q.data?.documents.items ?? [];
  const total = q.data?.documents.totalCount;

  return (
    <>
      <PageHeading title="Documents">
        Les pièces justificatives de la conformité : contrats, attestations de formation ou de présence, politiques,
        procédures, registres signés… Chaque document est daté, typé, conservé avec son empreinte SHA-256 et lié à ce
        qu'il prouve ; il figure dans les exports du registre remis aux auditeurs.
      </PageHeading>
      <form role="search" className="fr-grid-row fr-grid-row--gutters fr-mb-2w" onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        list.update({ q: String(data.get("q") ?? "").trim() });
      }}>
        <div className="fr-col-12 fr-col-md-5">
          <SelectField id="filter-type" label="Type" value={kind} onChange={(v) => list.update({ type: v })}
            placeholder="Tous les types" options={(q.data?.documentKinds ?? []).map((k) => ({ value: k.code, label: k.label }))} />
        </div>
        <div className="fr-col-12 fr-col-md-5">
          <SearchBox initial={search} />
        </div>
        <div className="fr-col-12 fr-col-md-2">
          <button type="submit" className="fr-btn fr-btn--secondary fr-mt-md-4w">Rechercher</button>
        </div>
      </form>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les documents" /> : null}
      <ResultCount total={total} list={list} loading={q.loading} />
      {q.data && !rows.length ? <EmptyState>Aucun document.</EmptyState> : null}
      {rows.length ? (
        <DocumentsTable caption="Documents" rows={rows} tenantName={ctx.tenantId ? undefined : ctx.tenantName}
          deletable={editable} onDeleted={q.reload} />
      ) : null}
      <Pagination total={total} list={list} label="Pages des documents" />

      <section className="fr-mt-6w" aria-labelledby="upload-title">
        <h2 id="upload-title" className="fr-h4">Déposer un document</h2>
        {!editable ? (
          <p>Lecture seule : votre rôle ne permet pas de déposer de document.</p>
        ) : q.data ? (
          <DocumentUploadForm idPrefix="doc" kinds={q.data.documentKinds} tenantId={ctx.tenantId} tenants={ctx.tenants}
            activities={acts.data?.activities.items ?? []} onUploaded={() => q.reload()} />
        ) : null}
      </section>
    </>
  );
}

function SearchBox({ initial }: { initial: string }) {
  return (
    <div className="fr-input-group">
      <label className="fr-label" htmlFor="filter-q">Rechercher<span className="fr-hint-text">Titre ou nom du fichier</span></label>
      <input className="fr-input" id="filter-q" name="q" type="search" defaultValue={initial} key={initial} />
    </div>
  );
}
