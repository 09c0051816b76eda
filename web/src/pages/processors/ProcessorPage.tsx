// One processor: its identity and contract (changed here), and the activities of the
// commune's register that use it (linked or unlinked here; the register's export lists them).
import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { SelectField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { compareNames } from "../../format/fr";
import { ProcessorForm, processorInput } from "./ProcessorForm";
import { dpaBadge } from "./ProcessorsPage";
import {
  LinkProcessorMutation,
  ProcessorActivitiesQuery,
  ProcessorDetailQuery,
  UnlinkProcessorMutation,
  UpdateProcessorMutation,
} from "./processorQueries";

type Outcome = { ok: boolean; text: string } | null;

export function ProcessorPage() {
  const { id = "" } = useParams<{ id: string }>();
  const ctx = useAuthenticated();
  const q = useQuery(ProcessorDetailQuery, { id });
  const p = q.data?.processor;
  const acts = useQuery(ProcessorActivitiesQuery, { tenantIds: p ? [p.tenantId] : null }, { skip: !p });
  const editable = can(ctx.roles, "editGdpr");
  const [saved, setSaved] = useState<string | null>(null);
  const [linkOutcome, setLinkOutcome] = useState<Outcome>(null);
  const [choice, setChoice] = useState("");

  if (q.error) return (<><PageHeading title="Sous-traitant" /><QueryError error={q.error} /></>);
  if (!p || !q.data) return <Loading what="le sous-traitant" />;

  const activities = acts.data?.activities.items ?? [];
  const linked = activities.filter((a) => p.activityIds.includes(a.id)).sort((a, b) => compareNames(a.name, b.name));
  const available = activities.filter((a) => !p.activityIds.includes(a.id)).sort((a, b) => compareNames(a.name, b.name));

  async function link(activityId: string, on: boolean, name: string) {
    setSaved(null);
    setLinkOutcome(null);
    try {
      if (on) await request(LinkProcessorMutation, { processorId: id, activityId });
      else await request(UnlinkProcessorMutation, { processorId: id, activityId });
      setLinkOutcome({ ok: true, text: on ? `« ${name} » emploie ce sous-traitant.` : `« ${name} » n'emploie plus ce sous-traitant.` });
      setChoice("");
      q.reload();
    } catch (err) {
      const text = errorText(err);
      setLinkOutcome(text ? { ok: false, text } : null);
    }
  }

  return (
    <>
      <nav role="navigation" className="fr-breadcrumb" aria-label="vous êtes ici :">
        <ol className="fr-breadcrumb__list">
          <li><Link className="fr-breadcrumb__link" to="/sous-traitants">Sous-traitants</Link></li>
          <li><a className="fr-breadcrumb__link" aria-current="page">{p.name}</a></li>
        </ol>
      </nav>
      <PageHeading title={`Sous-traitant : ${p.name}`}>
        {ctx.tenantName(p.tenantId)} · {dpaBadge(p.dpaStatus, p.dpaSignedOn)}
      </PageHeading>

      <section aria-labelledby="processor-links-title">
        <h2 id="processor-links-title" className="fr-h4">Traitements qui l'emploient</h2>
        {linkOutcome ? (
          <div>
            <Alert role={linkOutcome.ok ? "status" : "alert"} severity={linkOutcome.ok ? "success" : "error"} small description={linkOutcome.text} className="fr-mb-2w" />
          </div>
        ) : null}
        {acts.loading && !acts.data ? <Loading what="les traitements" /> : null}
        {acts.error ? <QueryError error={acts.error} /> : null}
        {acts.data && !linked.length ? <p>Aucun traitement du registre n'emploie ce sous-traitant.</p> : null}
        {linked.length ? (
          <ul className="console-link-list">
            {linked.map((a) => (
              <li key={a.id}>
                <Link to={`/registre/${a.id}`}>{a.name}</Link>
                {editable ? (
                  <button type="button" className="fr-btn fr-btn--sm fr-btn--tertiary fr-ml-2w" onClick={() => void link(a.id, false, a.name)}
                    aria-label={`Retirer « ${a.name} »`}>
                    Retirer
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
        {editable && acts.data ? (
          available.length ? (
            <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
              <div className="fr-col-12 fr-col-md-8">
                <SelectField id="link-activity" label="Associer un traitement" value={choice} onChange={setChoice}
                  placeholder="Choisir un traitement du registre" options={available.map((a) => ({ value: a.id, label: a.name }))} />
              </div>
              <div className="fr-col-12 fr-col-md-4">
                <button type="button" className="fr-btn fr-btn--secondary fr-mb-3w" disabled={!choice}
                  onClick={() => void link(choice, true, available.find((a) => a.id === choice)?.name ?? "")}>
                  Associer
                </button>
              </div>
            </div>
          ) : (
            <p className="fr-text--sm">Tous les traitements du registre emploient déjà ce sous-traitant.</p>
          )
        ) : null}
      </section>

      <section className="fr-mt-6w" aria-labelledby="processor-edit-title">
        <h2 id="processor-edit-title" className="fr-h4">Identité et contrat</h2>
        {saved ? <div><Alert role="status" severity="success" small description={saved} className="fr-mb-2w" /></div> : null}
        {!editable ? (
          <>
            <dl className="console-facts">
              <dt>SIRET</dt>
              <dd>{p.siret ?? "—"}</dd>
              <dt>Contact</dt>
              <dd>{p.contact || "—"}</dd>
              <dt>Pays</dt>
              <dd>{p.country}</dd>
              <dt>Référence du contrat</dt>
              <dd>{p.contractRef || "—"}</dd>
            </dl>
            <p>Lecture seule : votre rôle ne permet pas de modifier un sous-traitant.</p>
          </>
        ) : (
          <ProcessorForm
            key={p.id}
            initial={{
              name: p.name,
              siret: p.siret ?? "",
              contact: p.contact,
              country: p.country,
              contractRef: p.contractRef,
              dpaStatus: p.dpaStatus.code,
              dpaSignedOn: p.dpaSignedOn ?? "",
            }}
            dpaStatuses={q.data.gdprVocabulary.dpaStatuses}
            submitLabel="Enregistrer les modifications"
            check={() => {
              setSaved(null);
              setLinkOutcome(null);
              return {};
            }}
            onSubmit={async (d) => {
              const r = await request(UpdateProcessorMutation, { id, input: processorInput(d) });
              setSaved(`Le sous-traitant « ${r.updateProcessor.name} » est enregistré.`);
              q.reload();
              return false;
            }}
          />
        )}
      </section>
    </>
  );
}
