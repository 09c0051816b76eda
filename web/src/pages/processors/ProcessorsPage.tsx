// Processors (Art. 28): who processes personal data on the commune's behalf, under which
// contract, and for which activities of its register; a new one recorded here.
import { useState } from "react";
import { Link } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { request } from "../../api/graphqlClient";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { SelectField } from "../../components/formFields";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { Pagination, ResultCount, useListParams } from "../../components/ListPager";
import { formatDate, plural } from "../../format/fr";
import { emptyProcessor, ProcessorForm, processorInput, processorLabels } from "./ProcessorForm";
import { CreateProcessorMutation, ProcessorsListQuery } from "./processorQueries";
import { ListExportButtons } from "../../components/listExport";

export function dpaBadge(s: { code: string; label: string }, signedOn: string | null | undefined) {
  return (
    <Badge as="span" small noIcon severity={s.code === "signed" ? "success" : s.code === "requested" ? "warning" : "error"}>
      {s.label}{s.code === "signed" && signedOn ? ` le ${formatDate(signedOn)}` : ""}
    </Badge>
  );
}

export function ProcessorsPage() {
  const ctx = useAuthenticated();
  const list = useListParams();
  const q = useQuery(ProcessorsListQuery, { tenantIds: ctx.tenantIds, first: list.first, offset: list.offset });
  const rows = q.data?.processors.items ?? [];
  const total = q.data?.processors.totalCount;
  const editable = can(ctx.roles, "editGdpr");
  const [tenantId, setTenantId] = useState(ctx.tenantId ?? "");
  const [created, setCreated] = useState<{ id: string; name: string } | null>(null);

  return (
    <>
      <PageHeading title="Sous-traitants">
        Les prestataires qui traitent des données pour le compte de la commune (article 28 du RGPD), leur contrat et
        les traitements du registre qui les emploient.
      </PageHeading>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les sous-traitants" /> : null}
      <ListExportButtons list="processors" what="les sous-traitants" filters={{ tenant: ctx.tenantIds ?? [] }} />
      <ResultCount total={total} list={list} loading={q.loading} />
      {q.data && !rows.length ? <EmptyState>Aucun sous-traitant enregistré.</EmptyState> : null}
      {rows.length ? (
        <DataTable
          caption="Sous-traitants"
          captionHidden
          headers={["Sous-traitant", ...(ctx.tenantId ? [] : ["Commune"]), "Pays", "Contrat", "Clauses (art. 28)", "Traitements"]}
          rows={rows.map((p) => [
            <Link key="name" to={`/sous-traitants/${p.id}`}>{p.name}</Link>,
            ...(ctx.tenantId ? [] : [ctx.tenantName(p.tenantId)]),
            p.country,
            p.contractRef || "—",
            dpaBadge(p.dpaStatus, p.dpaSignedOn),
            p.activityIds.length ? plural(p.activityIds.length, "traitement") : "aucun",
          ])}
        />
      ) : null}
      <Pagination total={total} list={list} label="Pages des sous-traitants" />

      <section className="fr-mt-6w" aria-labelledby="new-processor-title">
        <h2 id="new-processor-title" className="fr-h4">Enregistrer un sous-traitant</h2>
        {!editable ? (
          <p>Lecture seule : votre rôle ne permet pas d'enregistrer un sous-traitant.</p>
        ) : q.data ? (
          <>
            {created ? (
              <div>
                <Alert role="status" severity="success" small className="fr-mb-2w"
                  description={<>Le sous-traitant « {created.name} » est enregistré. <Link to={`/sous-traitants/${created.id}`}>L'associer à des traitements</Link></>} />
              </div>
            ) : null}
            <ProcessorForm
              initial={emptyProcessor}
              dpaStatuses={q.data.gdprVocabulary.dpaStatuses}
              submitLabel="Enregistrer le sous-traitant"
              before={(errors) =>
                ctx.tenantId ? null : (
                  <div className="fr-col-12">
                    <SelectField id="field-tenantId" label={processorLabels.tenantId!} required value={tenantId} onChange={setTenantId}
                      error={errors.tenantId} placeholder="Choisir une commune" options={ctx.tenants.map((t) => ({ value: t.id, label: t.name }))} />
                  </div>
                )
              }
              check={(): Record<string, string> => {
                setCreated(null);
                return ctx.tenantId || tenantId ? {} : { tenantId: "Choisissez la commune." };
              }}
              onSubmit={async (d) => {
                const r = await request(CreateProcessorMutation, { input: { ...processorInput(d), tenantId: ctx.tenantId ?? tenantId } });
                setCreated(r.createProcessor);
                q.reload();
                return true;
              }}
            />
          </>
        ) : null}
      </section>
    </>
  );
}
