// The commune's impact assessments (AIPD, CNIL method): where each stands, whether the CNIL
// must be consulted first, and a new one started from one of the intercommunality's models.
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { SelectField } from "../../components/formFields";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Loading, QueryError } from "../../components/QueryStatus";
import { Pagination, ResultCount, useListParams } from "../../components/ListPager";
import { PageHeading } from "../../layout/PageHeading";
import { compareNames, formatDateTime } from "../../format/fr";
import { CreateDpiaMutation, DpiaListQuery, DpiaStartQuery } from "./dpiaQueries";

export function stageBadge(s: { code: string; label: string }) {
  const severity = s.code === "validated" ? "success" : s.code === "refused" ? "error" : s.code === "in_validation" ? "info" : "new";
  return (
    <Badge as="span" small noIcon severity={severity}>
      {s.label}
    </Badge>
  );
}

export function priorConsultationBadge(required: boolean) {
  return required ? (
    <Badge as="span" small severity="warning">Consultation CNIL requise</Badge>
  ) : (
    "Non requise"
  );
}

export function DpiaListPage() {
  const ctx = useAuthenticated();
  const list = useListParams();
  const q = useQuery(DpiaListQuery, { tenantIds: ctx.tenantIds, first: list.first, offset: list.offset });
  const rows = q.data?.dpias.items ?? [];
  const editable = can(ctx.roles, "editGdpr");
  return (
    <>
      <PageHeading title="Analyses d'impact (AIPD)">
        Les analyses d'impact relatives à la protection des données (article 35 du RGPD), menées selon la méthode de la
        CNIL : contexte, principes fondamentaux, risques, avis du DPO et validation par la commune.
      </PageHeading>
      <p>
        <Link to="/aipd/modeles">Voir les modèles d'analyse publiés par l'intercommunalité</Link>
      </p>
      {editable ? <StartDpia /> : null}
      <h2 className="fr-h4 fr-mt-4w">Analyses de la commune</h2>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les analyses d'impact" /> : null}
      <ResultCount total={q.data?.dpias.totalCount} list={list} loading={q.loading} />
      {q.data && !rows.length ? <EmptyState>Aucune analyse d'impact pour l'instant.</EmptyState> : null}
      {rows.length ? (
        <DataTable
          caption="Analyses d'impact"
          captionHidden
          headers={["Traitement", ...(ctx.tenantId ? [] : ["Commune"]), "Étape", "Consultation préalable (art. 36)", "Mise à jour"]}
          rows={rows.map((d) => [
            <Link key="name" to={`/aipd/${d.id}`}>{d.activityName ?? "Traitement"}</Link>,
            ...(ctx.tenantId ? [] : [ctx.tenantName(d.tenantId)]),
            stageBadge(d.stage),
            priorConsultationBadge(d.priorConsultationRequired),
            formatDateTime(d.updatedAt),
          ])}
        />
      ) : null}
      <Pagination total={q.data?.dpias.totalCount} list={list} label="Pages des analyses d'impact" />
    </>
  );
}

function StartDpia() {
  const ctx = useAuthenticated();
  const navigate = useNavigate();
  const q = useQuery(DpiaStartQuery, { tenantIds: ctx.tenantIds });
  const [activityId, setActivityId] = useState("");
  const [modelId, setModelId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [existing, setExisting] = useState<string | null>(null);
  const free = (q.data?.activities.items ?? []).filter((a) => !a.dpia).sort((a, b) => compareNames(a.name, b.name));
  const models = q.data?.dpiaModels ?? [];

  async function start() {
    setError(null);
    setExisting(null);
    if (!activityId) {
      setError("Choisissez le traitement que l'analyse porte.");
      return;
    }
    try {
      const r = await request(CreateDpiaMutation, { activityId, modelId: modelId || null });
      navigate(`/aipd/${r.createDpia.id}`);
    } catch (err) {
      const ext = (err as { errors?: { extensions?: { existingId?: string } }[] }).errors?.[0]?.extensions;
      if (ext?.existingId) setExisting(ext.existingId);
      setError(errorText(err));
    }
  }

  return (
    <section aria-labelledby="dpia-start-title" className="fr-mt-4w">
      <h2 id="dpia-start-title" className="fr-h4">Créer à partir d'un modèle</h2>
      {q.error ? <QueryError error={q.error} /> : null}
      {error ? (
        <div>
          <Alert role="alert" severity="error" small description={error} className="fr-mb-2w" />
          {existing ? <p><Link to={`/aipd/${existing}`}>Ouvrir l'analyse existante</Link></p> : null}
        </div>
      ) : null}
      <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
        <div className="fr-col-12 fr-col-md-5">
          <SelectField id="dpia-activity" label="Traitement analysé" value={activityId} onChange={setActivityId}
            placeholder="Choisir un traitement du registre"
            options={free.map((a) => ({ value: a.id, label: ctx.tenantId ? a.name : `${a.name} (${ctx.tenantName(a.tenantId)})` }))} />
        </div>
        <div className="fr-col-12 fr-col-md-5">
          <SelectField id="dpia-model" label="Modèle de l'intercommunalité" value={modelId} onChange={setModelId}
            placeholder="Sans modèle (analyse vierge)" options={models.map((m) => ({ value: m.id, label: m.name }))} />
        </div>
        <div className="fr-col-12 fr-col-md-2">
          <button type="button" className="fr-btn fr-mb-3w" onClick={() => void start()}>
            Créer l'analyse
          </button>
        </div>
      </div>
    </section>
  );
}
