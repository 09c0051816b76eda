// One DPIA (CNIL method), section by section: context, fundamental principles, risks, the risk
// map, then the opinions and the controller's decision. The commune writes while it is a draft;
// the DPO gives an opinion; the commune's administrator validates or refuses.
import { useEffect, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { DpiaDetailQuery, UpdateDpiaMutation } from "./dpiaQueries";
import { draftOf, inputOf, type DpiaDraft } from "./dpiaDraft";
import { ContextSection, PrinciplesSection, RisksSection } from "./DpiaSections";
import { RiskMap } from "./RiskMap";
import { WorkflowSection } from "./DpiaWorkflow";
import { stageBadge } from "./DpiaListPage";

const steps = [
  { key: "contexte", label: "Contexte" },
  { key: "principes", label: "Principes fondamentaux" },
  { key: "risques", label: "Risques" },
  { key: "cartographie", label: "Cartographie des risques" },
  { key: "validation", label: "Avis et validation" },
] as const;

type Outcome = { ok: boolean; text: string } | null;

export function DpiaPage() {
  const { id = "" } = useParams<{ id: string }>();
  const ctx = useAuthenticated();
  const q = useQuery(DpiaDetailQuery, { id });
  const d = q.data?.dpia;
  const [params, setParams] = useSearchParams();
  const step = steps.find((s) => s.key === params.get("etape")) ?? steps[0];
  const [draft, setDraft] = useState<DpiaDraft | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (d) setDraft(draftOf(d));
  }, [d]);

  if (q.error) return (<><PageHeading title="Analyse d'impact" /><QueryError error={q.error} /></>);
  if (!d || !q.data || !draft) return <Loading what="l'analyse d'impact" />;
  const v = q.data.gdprVocabulary;
  const editable = can(ctx.roles, "editGdpr") && (d.stage.code === "draft" || d.stage.code === "refused");
  const stepIndex = steps.indexOf(step);

  async function save() {
    if (!d || !draft) return;
    setOutcome(null);
    setSaving(true);
    try {
      await request(UpdateDpiaMutation, { id: d.id, input: inputOf(draft, d.version) });
      setOutcome({ ok: true, text: "Analyse enregistrée. Les mesures prévues figurent au plan d'action du traitement." });
      q.reload();
    } catch (err) {
      const text = errorText(err);
      setOutcome(text ? { ok: false, text } : null);
    } finally {
      setSaving(false);
    }
  }

  const evaluations = Object.fromEntries(d.principles.map((p) => [p.principle.code, { evaluation: p.evaluation, dpoComment: p.dpoComment }]));
  const highKinds = d.risks.filter((r) => r.residualHigh).map((r) => r.kind.code);

  return (
    <>
      <nav role="navigation" className="fr-breadcrumb" aria-label="vous êtes ici :">
        <ol className="fr-breadcrumb__list">
          <li><Link className="fr-breadcrumb__link" to="/aipd">Analyses d'impact</Link></li>
          <li><a className="fr-breadcrumb__link" aria-current="page">{d.activityName}</a></li>
        </ol>
      </nav>
      <PageHeading title={`Analyse d'impact : ${d.activityName ?? "traitement"}`}>
        {ctx.tenantName(d.tenantId)} · {stageBadge(d.stage)} ·{" "}
        <Link to={`/registre/${d.activityId}`}>Fiche du traitement et plan d'action</Link> ·{" "}
        <a href={d.pdfPath} download>Télécharger le PDF</a>
      </PageHeading>
      {d.priorConsultationRequired ? (
        <Alert severity="warning" title="Consultation préalable de la CNIL requise (article 36)" className="fr-mb-3w"
          description="Un risque résiduel reste élevé (gravité et vraisemblance au moins « importantes ») : la CNIL doit être consultée avant la mise en œuvre du traitement." />
      ) : null}
      <nav aria-label="Étapes de l'analyse">
        <ol className="console-dpia-steps">
          {steps.map((s, i) => (
            <li key={s.key}>
              <button type="button" className={`fr-btn fr-btn--sm ${s === step ? "" : "fr-btn--tertiary"}`}
                aria-current={s === step ? "step" : undefined}
                onClick={() => { setOutcome(null); setParams({ etape: s.key }, { replace: true }); }}>
                {i + 1}. {s.label}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <p className="fr-text--sm">Étape {stepIndex + 1} sur {steps.length}</p>
      <section aria-labelledby="dpia-step-title" className="fr-mt-2w">
        <h2 id="dpia-step-title" className="fr-h4">{step.label}</h2>
        {outcome ? (
          <div>
            <Alert role={outcome.ok ? "status" : "alert"} severity={outcome.ok ? "success" : "error"} small description={outcome.text} className="fr-mb-2w" />
          </div>
        ) : null}
        {step.key === "contexte" ? <ContextSection draft={draft} set={setDraft} editable={editable} supportKinds={v.dpiaSupportKinds} /> : null}
        {step.key === "principes" ? <PrinciplesSection draft={draft} set={setDraft} editable={editable} evaluations={evaluations} /> : null}
        {step.key === "risques" ? (
          <RisksSection draft={draft} set={setDraft} editable={editable} levels={v.dpiaLevels} states={v.dpiaMeasureStates} highKinds={highKinds} />
        ) : null}
        {step.key === "cartographie" ? (
          <RiskMap rows={d.riskMap} caption="Cartographie des risques : position initiale et résiduelle de chaque risque (gravité en ligne, vraisemblance en colonne)" />
        ) : null}
        {step.key === "validation" ? <WorkflowSection dpia={d} evaluationsVocab={v.dpiaEvaluations} onChange={q.reload} /> : null}
        {editable && step.key !== "cartographie" && step.key !== "validation" ? (
          <button type="button" className="fr-btn fr-mt-2w" disabled={saving} onClick={() => void save()}>
            Enregistrer l'analyse
          </button>
        ) : null}
        {!editable && step.key !== "validation" && step.key !== "cartographie" ? (
          <p className="fr-text--sm fr-mt-2w">
            {d.stage.code === "in_validation"
              ? "En validation : l'analyse ne se modifie plus, sauf l'avis du DPO."
              : d.stage.code === "validated"
                ? "Validée : l'analyse ne se modifie plus."
                : "Lecture seule : votre rôle ne permet pas de modifier cette analyse."}
          </p>
        ) : null}
      </section>
    </>
  );
}
