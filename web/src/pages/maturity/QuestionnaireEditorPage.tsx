// The DPO's (or DSI's) questionnaire editor: title, questions (key, theme, text, weight) and
// their answers (label, score, "sans objet"). Publishing under an existing title makes its
// next version; published versions never change. `?depuis=<id>` starts from a version.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { CheckboxField, ErrorSummary, SelectField, TextAreaField, TextField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { MaturityQuestionnairesQuery, PublishQuestionnaireMutation } from "./maturityQueries";
import {
  checkDraft,
  draftFrom,
  emptyDraft,
  emptyOption,
  emptyQuestion,
  questionOfMessage,
  toInput,
  type OptionDraft,
  type QuestionDraft,
  type QuestionnaireDraft,
} from "./questionnaireDraft";

export function QuestionnaireEditorPage() {
  const ctx = useAuthenticated();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const from = params.get("depuis");
  const list = useQuery(MaturityQuestionnairesQuery, {}, { skip: !from });
  const source = list.data?.maturityQuestionnaires.find((q) => q.id === from);
  const [draft, setDraft] = useState<QuestionnaireDraft | null>(from ? null : emptyDraft);
  const [organisationId, setOrganisationId] = useState(ctx.organisations[0]?.id ?? "");
  const [titleError, setTitleError] = useState<string | undefined>();
  const [questionErrors, setQuestionErrors] = useState<Record<number, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (source && draft === null) {
      setDraft(draftFrom(source));
      setOrganisationId(source.organisationId);
    }
  }, [source, draft]);

  const title = source ? `Nouvelle version de « ${source.title} »` : "Nouveau questionnaire de maturité";
  if (!can(ctx.roles, "publishMaturity")) {
    return (
      <>
        <PageHeading title={title} />
        <Alert severity="info" title="Lecture seule" description="Seuls le DPO et la DSI publient les questionnaires." />
      </>
    );
  }
  if (list.error) return (<><PageHeading title={title} /><QueryError error={list.error} /></>);
  if (!draft) return (<><PageHeading title={title} />{list.data ? <Alert severity="error" small description="Cette version n'existe pas." /> : <Loading what="le questionnaire" />}</>);

  const update = (f: (d: QuestionnaireDraft) => QuestionnaireDraft) => setDraft((d) => (d ? f(d) : d));
  const updateQuestion = (uid: number, f: (q: QuestionDraft) => QuestionDraft) =>
    update((d) => ({ ...d, questions: d.questions.map((q) => (q.uid === uid ? f(q) : q)) }));

  const errorsForSummary: Record<string, string> = {};
  const summaryLabels: Record<string, string> = { title: "Titre" };
  if (titleError) errorsForSummary.title = titleError;
  draft.questions.forEach((q, i) => {
    if (questionErrors[q.uid]) {
      errorsForSummary[`question-${q.uid}`] = questionErrors[q.uid]!;
      summaryLabels[`question-${q.uid}`] = `Question ${i + 1}`;
    }
  });

  function show(t: string | undefined, qs: Record<number, string>, g: string[]) {
    setTitleError(t);
    setQuestionErrors(qs);
    setGeneral(g);
    requestAnimationFrame(() => summary.current?.focus());
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!draft || saving) return;
    const local = checkDraft(draft);
    if (local.title || local.general || Object.keys(local.questions).length) {
      show(local.title, local.questions, local.general ? [local.general] : []);
      return;
    }
    setSaving(true);
    try {
      const r = await request(PublishQuestionnaireMutation, { organisationId, title: draft.title.trim(), questions: toInput(draft) });
      const p = r.publishMaturityQuestionnaire;
      navigate("/maturite", { state: { notice: `Questionnaire « ${p.title} » publié (version ${p.version}).` } });
    } catch (err) {
      const { fields, general: other } = splitFieldErrors(err);
      const qs: Record<number, string> = {};
      const rest = [...other];
      if (fields.questions) {
        const target = questionOfMessage(draft, fields.questions);
        if (target !== undefined) qs[target] = fields.questions;
        else rest.push(fields.questions);
      }
      for (const [k, v] of Object.entries(fields)) if (k !== "title" && k !== "questions") rest.push(v);
      show(fields.title, qs, rest);
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <PageHeading title={title}>
        Un questionnaire publié ne change plus : les scores passés gardent leur sens. Publier sous un titre existant crée sa version suivante.
      </PageHeading>
      <p>
        <Link to="/maturite">Retour à la maturité</Link>
      </p>
      <ErrorSummary errors={errorsForSummary} labels={summaryLabels} general={general} summaryRef={summary} />
      <form onSubmit={submit} noValidate>
        {ctx.organisations.length > 1 ? (
          <SelectField id="field-organisation" label="Intercommunalité" value={organisationId} onChange={setOrganisationId}
            options={ctx.organisations.map((o) => ({ value: o.id, label: o.name }))} />
        ) : null}
        <TextField id="field-title" label="Titre du questionnaire" required value={draft.title} error={titleError}
          hint="Le même titre qu'une version publiée crée la version suivante."
          onChange={(v) => update((d) => ({ ...d, title: v }))} />
        {draft.questions.map((q, i) => (
          <QuestionEditor key={q.uid} index={i} question={q} error={questionErrors[q.uid]}
            onChange={(f) => updateQuestion(q.uid, f)}
            onRemove={draft.questions.length > 1 ? () => update((d) => ({ ...d, questions: d.questions.filter((x) => x.uid !== q.uid) })) : undefined} />
        ))}
        <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mt-2w">
          <li>
            <button type="button" className="fr-btn fr-btn--secondary fr-icon-add-line fr-btn--icon-left"
              onClick={() => update((d) => ({ ...d, questions: [...d.questions, emptyQuestion()] }))}>
              Ajouter une question
            </button>
          </li>
          <li>
            <button type="submit" className="fr-btn" disabled={saving}>
              Publier le questionnaire
            </button>
          </li>
        </ul>
      </form>
    </>
  );
}

function QuestionEditor({
  index,
  question: q,
  error,
  onChange,
  onRemove,
}: {
  index: number;
  question: QuestionDraft;
  error?: string | undefined;
  onChange: (f: (q: QuestionDraft) => QuestionDraft) => void;
  onRemove?: (() => void) | undefined;
}) {
  const id = `question-${q.uid}`;
  const n = index + 1;
  const set = (k: "key" | "theme" | "text" | "weight") => (v: string) => onChange((x) => ({ ...x, [k]: v }));
  const setOption = (uid: number, f: (o: OptionDraft) => OptionDraft) =>
    onChange((x) => ({ ...x, options: x.options.map((o) => (o.uid === uid ? f(o) : o)) }));
  return (
    <fieldset className={`fr-fieldset console-question${error ? " fr-fieldset--error" : ""}`} id={`field-${id}`}
      aria-labelledby={`${id}-legend${error ? ` ${id}-error` : ""}`} tabIndex={-1}>
      <legend className="fr-fieldset__legend" id={`${id}-legend`}>
        Question {n}
      </legend>
      <div className="fr-fieldset__element">
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-4">
            <TextField id={`${id}-key`} label={`Clé de la question ${n}`} hint="a-z, 0-9, _ et -, stable d'une version à l'autre" required value={q.key} onChange={set("key")} />
          </div>
          <div className="fr-col-12 fr-col-md-5">
            <TextField id={`${id}-theme`} label={`Thème de la question ${n}`} required value={q.theme} onChange={set("theme")} />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <TextField id={`${id}-weight`} type="number" inputMode="numeric" label={`Poids de la question ${n}`} hint="de 1 à 10" required value={q.weight} onChange={set("weight")} />
          </div>
          <div className="fr-col-12">
            <TextAreaField id={`${id}-text`} label={`Énoncé de la question ${n}`} required value={q.text} onChange={set("text")} rows={2} />
          </div>
        </div>
        <h3 className="fr-h6 fr-mb-1w">Réponses possibles à la question {n}</h3>
        <p className="fr-text--sm">Le score est la part du poids que la réponse rapporte (de 0 à 100 %) ; une réponse « sans objet » retire la question du maximum de la commune.</p>
        {q.options.map((o, j) => (
          <div key={o.uid} className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
            <div className="fr-col-12 fr-col-md-5">
              <TextField id={`${id}-option-${o.uid}-label`} label={`Réponse ${j + 1} de la question ${n}`} required value={o.label}
                onChange={(v) => setOption(o.uid, (x) => ({ ...x, label: v }))} />
            </div>
            <div className="fr-col-6 fr-col-md-2">
              {o.notApplicable ? (
                <p className="fr-mb-3w">sans objet</p>
              ) : (
                <TextField id={`${id}-option-${o.uid}-score`} type="number" inputMode="numeric" label={`Score (%) de la réponse ${j + 1}, question ${n}`} value={o.score}
                  onChange={(v) => setOption(o.uid, (x) => ({ ...x, score: v }))} />
              )}
            </div>
            <div className="fr-col-6 fr-col-md-3 fr-mb-3w">
              <CheckboxField id={`${id}-option-${o.uid}-na`} label={`« Sans objet » (réponse ${j + 1}, question ${n})`} checked={o.notApplicable}
                onChange={(v) => setOption(o.uid, (x) => ({ ...x, notApplicable: v }))} />
            </div>
            <div className="fr-col-12 fr-col-md-2 fr-mb-3w">
              {q.options.length > 2 ? (
                <button type="button" className="fr-btn fr-btn--tertiary-no-outline fr-btn--sm"
                  onClick={() => onChange((x) => ({ ...x, options: x.options.filter((y) => y.uid !== o.uid) }))}>
                  Retirer<span className="fr-sr-only"> la réponse {j + 1} de la question {n}</span>
                </button>
              ) : null}
            </div>
          </div>
        ))}
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
          <li>
            <button type="button" className="fr-btn fr-btn--tertiary fr-btn--sm"
              onClick={() => onChange((x) => ({ ...x, options: [...x.options, emptyOption()] }))}>
              Ajouter une réponse<span className="fr-sr-only"> à la question {n}</span>
            </button>
          </li>
          {onRemove ? (
            <li>
              <button type="button" className="fr-btn fr-btn--tertiary fr-btn--sm" onClick={onRemove}>
                Supprimer la question {n}
              </button>
            </li>
          ) : null}
        </ul>
      </div>
      <div className="fr-messages-group" aria-live="polite">
        {error ? (
          <p className="fr-message fr-message--error" id={`${id}-error`}>
            {error}
          </p>
        ) : null}
      </div>
    </fieldset>
  );
}
