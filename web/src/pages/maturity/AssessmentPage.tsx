// A commune's maturity assessment: the latest version of a questionnaire, one radio group per
// question grouped by theme, the date and notes; the score and the theme scores once recorded.
import { useRef, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { DataTable } from "../../components/DataTable";
import { ErrorSummary, SelectField, TextAreaField, TextField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatBp, formatBpChange, formatDate, formatDateTime, today } from "../../format/fr";
import type { QuestionnaireFieldsFragment, RecordMaturityAssessmentMutation } from "../../gql/graphql";
import { MaturityAssessmentsQuery, MaturityQuestionnairesQuery, RecordAssessmentMutation } from "./maturityQueries";

const labels: Record<string, string> = {
  tenantId: "Commune",
  questionnaireId: "Questionnaire",
  assessedOn: "Date de l'évaluation",
  notes: "Notes",
  answers: "Réponses",
};

/** The newest version of each title (the list comes newest version first within a title). */
export function latestVersions(list: QuestionnaireFieldsFragment[]): QuestionnaireFieldsFragment[] {
  const seen = new Set<string>();
  return list.filter((q) => (seen.has(q.title) ? false : (seen.add(q.title), true)));
}

export function AssessmentPage() {
  const ctx = useAuthenticated();
  const list = useQuery(MaturityQuestionnairesQuery, {});
  const communes = ctx.tenants.filter((t) => t.kind !== "organisation");
  const [tenantId, setTenantId] = useState(ctx.currentTenant?.kind === "organisation" ? "" : ctx.tenantId ?? (communes.length === 1 ? communes[0]!.id : ""));
  const [questionnaireId, setQuestionnaireId] = useState("");
  const [assessedOn, setAssessedOn] = useState(today());
  const [notes, setNotes] = useState("");
  const [answers, setAnswers] = useState<Record<string, Record<string, number>>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [result, setResult] = useState<{ r: RecordMaturityAssessmentMutation["recordMaturityAssessment"]; tenant: string; at: string } | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);

  const title = "Évaluer la maturité d'une commune";
  if (!can(ctx.roles, "assessMaturity")) {
    return (<><PageHeading title={title} /><Alert severity="info" small description="Votre rôle permet de consulter les évaluations, pas d'en enregistrer." /></>);
  }
  if (list.error) return (<><PageHeading title={title} /><QueryError error={list.error} /></>);
  if (!list.data) return (<><PageHeading title={title} /><Loading what="les questionnaires" /></>);
  const latest = latestVersions(list.data.maturityQuestionnaires);
  const questionnaire = latest.find((q) => q.id === questionnaireId) ?? latest[0];
  if (!questionnaire) {
    return (
      <>
        <PageHeading title={title} />
        <Alert severity="info" title="Aucun questionnaire publié" description="Le DPO publie d'abord un questionnaire de maturité." />
      </>
    );
  }
  const chosen = answers[questionnaire.id] ?? {};
  const questionErrors = Object.fromEntries(Object.entries(errors).filter(([k]) => k.startsWith("q-")));

  function show(fields: Record<string, string>, g: string[]) {
    setErrors(fields);
    setGeneral(g);
    requestAnimationFrame(() => summary.current?.focus());
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving || !questionnaire) return;
    // The previous result must not stand beside this submission's errors.
    setResult(null);
    const local: Record<string, string> = {};
    if (!tenantId) local.tenantId = "Choisissez la commune évaluée.";
    if (!assessedOn) local.assessedOn = "Indiquez la date de l'évaluation.";
    for (const q of questionnaire.questions) {
      if (chosen[q.key] === undefined) local[`q-${q.key}`] = "Choisissez une réponse.";
    }
    if (Object.keys(local).length) {
      show(local, []);
      return;
    }
    setSaving(true);
    try {
      const r = await request(RecordAssessmentMutation, {
        input: {
          tenantId,
          questionnaireId: questionnaire.id,
          assessedOn,
          notes,
          answers: questionnaire.questions.map((q) => ({ questionKey: q.key, option: chosen[q.key]! })),
        },
      });
      // The mutation's answer has no change (changeBp is null there): read it from the list.
      let recorded = r.recordMaturityAssessment;
      try {
        const all = await request(MaturityAssessmentsQuery, { tenantIds: [tenantId] });
        const listed = all.maturityAssessments.find((a) => a.id === recorded.id);
        if (listed) recorded = { ...recorded, changeBp: listed.changeBp };
      } catch {
        /* the score is recorded; the change stays unknown */
      }
      setErrors({});
      setGeneral([]);
      setResult({ r: recorded, tenant: ctx.tenantName(tenantId), at: assessedOn });
      requestAnimationFrame(() => resultHeading.current?.focus());
    } catch (err) {
      const s = splitFieldErrors(err);
      show(s.fields, s.general);
    } finally {
      setSaving(false);
    }
  }

  const summaryLabels = { ...labels, ...Object.fromEntries(questionnaire.questions.map((q, i) => [`q-${q.key}`, `Question ${i + 1}`])) };

  return (
    <>
      <PageHeading title={title}>
        Une réponse par question ; le score pondère chaque réponse par le poids de sa question.
      </PageHeading>
      <p>
        <Link to="/maturite">Retour à la maturité</Link>
      </p>
      {result ? (
        <section className="fr-mb-4w" aria-labelledby="assessment-result">
          <div className="fr-alert fr-alert--success">
            <h2 className="fr-alert__title" id="assessment-result" ref={resultHeading} tabIndex={-1}>
              Évaluation enregistrée : {formatBp(result.r.scoreBp)}
            </h2>
            <p>
              {result.tenant}, le {formatDate(result.at)} — {formatBpChange(result.r.changeBp)}
              {result.r.changeBp !== null ? " depuis l'évaluation précédente" : ""}.
            </p>
          </div>
          <DataTable caption="Score par thème" headers={["Thème", "Score"]} rowHeaders
            rows={result.r.themes.map((t) => [t.theme, t.scoreBp === null ? "sans objet" : formatBp(t.scoreBp)])} />
          <p><Link to="/maturite">Voir la progression</Link></p>
        </section>
      ) : null}
      <ErrorSummary errors={errors} labels={summaryLabels} general={general} summaryRef={summary} />
      <form onSubmit={submit} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          {communes.length > 1 && !(ctx.currentTenant && ctx.currentTenant.kind !== "organisation") ? (
            <div className="fr-col-12 fr-col-md-6">
              <SelectField id="field-tenantId" label={labels.tenantId!} required value={tenantId} onChange={setTenantId} error={errors.tenantId}
                placeholder="Choisir une commune" options={communes.map((t) => ({ value: t.id, label: t.name }))} />
            </div>
          ) : (
            <div className="fr-col-12 fr-col-md-6">
              <p className="fr-mt-4w">Commune évaluée : <strong>{tenantId ? ctx.tenantName(tenantId) : "—"}</strong></p>
            </div>
          )}
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="field-questionnaireId" label={labels.questionnaireId!} value={questionnaire.id} onChange={setQuestionnaireId} error={errors.questionnaireId}
              options={latest.map((q) => ({ value: q.id, label: `${q.title} (version ${q.version})` }))} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-assessedOn" type="date" label={labels.assessedOn!} required value={assessedOn} onChange={setAssessedOn} error={errors.assessedOn}
              hint="Pas dans le futur." />
          </div>
        </div>
        <p className="fr-text--sm">
          Version {questionnaire.version}, publiée le {formatDateTime(questionnaire.publishedAt)} : {questionnaire.questions.length} questions.
        </p>
        {errors.answers ? <Alert severity="error" small description={errors.answers} className="fr-mb-2w" /> : null}
        {questionnaire.themes.map((theme) => (
          <section key={theme} aria-labelledby={`theme-${slug(theme)}`}>
            <h2 className="fr-h5 fr-mt-3w" id={`theme-${slug(theme)}`}>{theme}</h2>
            {questionnaire.questions
              .filter((q) => q.theme === theme)
              .map((q) => {
                const n = questionnaire.questions.indexOf(q) + 1;
                const id = `q-${q.key}`;
                const error = questionErrors[id];
                return (
                  <fieldset key={q.key} id={`field-${id}`} tabIndex={-1}
                    className={`fr-fieldset${error ? " fr-fieldset--error" : ""}`}
                    aria-labelledby={`${id}-legend${error ? ` ${id}-error` : ""}`}>
                    <legend className="fr-fieldset__legend fr-fieldset__legend--regular" id={`${id}-legend`}>
                      {n}. {q.text}
                      <span className="fr-hint-text">Poids {q.weight}</span>
                    </legend>
                    {q.options.map((o, i) => (
                      <div key={i} className="fr-fieldset__element">
                        <div className="fr-radio-group">
                          <input type="radio" id={`${id}-${i}`} name={id} checked={chosen[q.key] === i}
                            onChange={() => setAnswers((a) => ({ ...a, [questionnaire.id]: { ...(a[questionnaire.id] ?? {}), [q.key]: i } }))} />
                          <label className="fr-label" htmlFor={`${id}-${i}`}>
                            {o.label}
                            <span className="fr-hint-text">{o.notApplicable ? "sans objet" : `${o.score} %`}</span>
                          </label>
                        </div>
                      </div>
                    ))}
                    <div className="fr-messages-group" aria-live="polite">
                      {error ? <p className="fr-message fr-message--error" id={`${id}-error`}>{error}</p> : null}
                    </div>
                  </fieldset>
                );
              })}
          </section>
        ))}
        <TextAreaField id="field-notes" label={labels.notes!} value={notes} onChange={setNotes} error={errors.notes} hint="5 000 caractères au plus." />
        <button type="submit" className="fr-btn" disabled={saving}>Enregistrer l'évaluation</button>
      </form>
    </>
  );
}

function slug(s: string): string {
  return s.normalize("NFD").replace(/[^\w]+/g, "-").toLowerCase();
}
