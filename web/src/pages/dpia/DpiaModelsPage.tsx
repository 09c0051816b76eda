// The DPIA models the intercommunality publishes for its communes (CCTV, school canteen, human
// resources…): what each holds, and, for the DPO, a new model published from a DPIA.
import { useState } from "react";
import { Link } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { SelectField, TextAreaField, TextField } from "../../components/formFields";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatDateTime } from "../../format/fr";
import { DpiaModelsQuery, PublishDpiaModelMutation } from "./dpiaQueries";

const pos = (s: number | null, l: number | null) => (s == null || l == null ? "non évalué" : `gravité ${s}, vraisemblance ${l}`);

export function DpiaModelsPage() {
  const ctx = useAuthenticated();
  const q = useQuery(DpiaModelsQuery, {});
  const models = q.data?.dpiaModels ?? [];
  return (
    <>
      <PageHeading title="Modèles d'analyse d'impact">
        Les modèles d'AIPD publiés par l'intercommunalité : une commune part d'un modèle, qui devient sa propre analyse
        (<Link to="/aipd">Analyses d'impact</Link>, « Créer à partir d'un modèle »).
      </PageHeading>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les modèles" /> : null}
      {q.data && !models.length ? <EmptyState>Aucun modèle publié.</EmptyState> : null}
      {models.map((m) => (
        <section key={m.id} aria-labelledby={`model-${m.id}`} className="fr-mb-6w">
          <h2 id={`model-${m.id}`} className="fr-h4">{m.name}</h2>
          <p>{m.description}</p>
          <p className="fr-text--sm">Publié par {m.publishedBy}, {formatDateTime(m.createdAt)}.</p>
          <DataTable
            caption={`Risques du modèle « ${m.name} »`}
            rowHeaders
            headers={["Risque", "Avant les mesures", "Mesures", "Risque résiduel"]}
            rows={m.risks.map((r) => [
              r.kind.label,
              pos(r.severity, r.likelihood),
              r.measures.join(" ; ") || "—",
              pos(r.residualSeverity, r.residualLikelihood),
            ])}
          />
        </section>
      ))}
      {can(ctx.roles, "publishModels") && q.data ? <PublishModel dpias={q.data.dpias.items} /> : null}
    </>
  );
}

function PublishModel({ dpias }: { dpias: { id: string; tenantId: string; activityName: string | null; stage: { label: string } }[] }) {
  const ctx = useAuthenticated();
  const [from, setFrom] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const organisationId = ctx.organisations[0]?.id;

  async function publish() {
    setOutcome(null);
    const tenant = dpias.find((d) => d.id === from)?.tenantId;
    const org = ctx.tenants.find((t) => t.id === tenant)?.organisationId ?? organisationId;
    if (!from || !org) {
      setOutcome({ ok: false, text: "Choisissez l'analyse dont le modèle reprend le contenu." });
      return;
    }
    try {
      const r = await request(PublishDpiaModelMutation, { organisationId: org, fromDpiaId: from, name, description });
      setOutcome({ ok: true, text: `Modèle « ${r.publishDpiaModel.name} » publié pour les communes.` });
    } catch (err) {
      const text = errorText(err);
      setOutcome(text ? { ok: false, text } : null);
    }
  }

  return (
    <section aria-labelledby="publish-model-title" className="fr-mt-6w">
      <h2 id="publish-model-title" className="fr-h4">Publier un modèle à partir d'une analyse</h2>
      <p>Le modèle reprend le contexte, les justifications, les risques et les mesures ; jamais les avis ni la décision.</p>
      {outcome ? (
        <div>
          <Alert role={outcome.ok ? "status" : "alert"} severity={outcome.ok ? "success" : "error"} small description={outcome.text} className="fr-mb-2w" />
        </div>
      ) : null}
      <SelectField id="model-from" label="Analyse d'origine" value={from} onChange={setFrom} placeholder="Choisir une analyse"
        options={dpias.map((d) => ({ value: d.id, label: `${d.activityName ?? "Traitement"} — ${ctx.tenantName(d.tenantId)} (${d.stage.label.toLowerCase()})` }))} />
      <TextField id="model-name" label="Nom du modèle" value={name} onChange={setName} />
      <TextAreaField id="model-description" label="Description" value={description} onChange={setDescription} />
      <button type="button" className="fr-btn" onClick={() => void publish()}>Publier le modèle</button>
    </section>
  );
}
