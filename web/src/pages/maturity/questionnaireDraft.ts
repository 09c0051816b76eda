// The questionnaire editor's state: text fields stay strings while typed (nothing is lost on
// an error), converted to the API's input on publication.
import type { MaturityQuestionInput, QuestionnaireFieldsFragment } from "../../gql/graphql";

export type OptionDraft = { uid: number; label: string; score: string; notApplicable: boolean };
export type QuestionDraft = { uid: number; key: string; theme: string; text: string; weight: string; options: OptionDraft[] };
export type QuestionnaireDraft = { title: string; questions: QuestionDraft[] };

let nextUid = 1;
export const uid = () => nextUid++;

export function emptyOption(label = "", score = ""): OptionDraft {
  return { uid: uid(), label, score, notApplicable: false };
}

export function emptyQuestion(): QuestionDraft {
  return {
    uid: uid(),
    key: "",
    theme: "",
    text: "",
    weight: "1",
    options: [emptyOption("Oui", "100"), emptyOption("Partiellement", "50"), emptyOption("Non", "0")],
  };
}

export function emptyDraft(): QuestionnaireDraft {
  return { title: "", questions: [emptyQuestion()] };
}

/** A published version, as the start of the next one. */
export function draftFrom(q: QuestionnaireFieldsFragment): QuestionnaireDraft {
  return {
    title: q.title,
    questions: q.questions.map((x) => ({
      uid: uid(),
      key: x.key,
      theme: x.theme,
      text: x.text,
      weight: String(x.weight),
      options: x.options.map((o) => ({ uid: uid(), label: o.label, score: String(o.score), notApplicable: o.notApplicable })),
    })),
  };
}

const KEY = /^[a-z0-9_-]{1,40}$/;

/**
 * The checks the API makes (tenants/src/maturity/questionnaire.rs), so that most mistakes are
 * shown before sending; errors by question uid, and for the title.
 */
export function checkDraft(d: QuestionnaireDraft): { title?: string; questions: Record<number, string>; general?: string } {
  const out: { title?: string; questions: Record<number, string>; general?: string } = { questions: {} };
  if (!d.title.trim()) out.title = "Donnez un titre au questionnaire.";
  if (!d.questions.length) out.general = "Ajoutez au moins une question.";
  const keys = new Set<string>();
  for (const q of d.questions) {
    const problems: string[] = [];
    const key = q.key.trim();
    if (!KEY.test(key)) problems.push("la clé doit compter 1 à 40 caractères parmi a-z, 0-9, _ et -");
    else if (keys.has(key)) problems.push(`la clé « ${key} » est déjà utilisée`);
    keys.add(key);
    if (!q.theme.trim()) problems.push("indiquez le thème");
    if (!q.text.trim()) problems.push("rédigez la question");
    const w = Number(q.weight);
    if (!Number.isInteger(w) || w < 1 || w > 10) problems.push("le poids est un entier de 1 à 10");
    if (q.options.length < 2 || q.options.length > 10) problems.push("proposez de 2 à 10 réponses");
    if (q.options.some((o) => !o.label.trim())) problems.push("chaque réponse a un libellé");
    if (q.options.some((o) => !o.notApplicable && !/^\d{1,3}$/.test(o.score.trim()))) problems.push("chaque score est un entier de 0 à 100");
    if (q.options.filter((o) => o.notApplicable).length > 1) problems.push("une seule réponse « sans objet »");
    if (q.options.some((o) => !o.notApplicable && Number(o.score) > 100)) problems.push("un score ne dépasse pas 100 %");
    if (!q.options.some((o) => !o.notApplicable && o.score.trim() === "100"))
      problems.push("une réponse doit valoir 100 % (la pratique attendue)");
    if (problems.length) out.questions[q.uid] = `${problems.join(" ; ")}.`.replace(/^./, (c) => c.toUpperCase());
  }
  return out;
}

export function toInput(d: QuestionnaireDraft): MaturityQuestionInput[] {
  return d.questions.map((q) => ({
    key: q.key.trim(),
    theme: q.theme.trim(),
    text: q.text.trim(),
    weight: Number(q.weight),
    options: q.options.map((o) => ({
      label: o.label.trim(),
      score: o.notApplicable ? 0 : Number(o.score),
      notApplicable: o.notApplicable,
    })),
  }));
}

/** The question an API message names ("question 2: …" or "question cle: …"). */
export function questionOfMessage(d: QuestionnaireDraft, message: string): number | undefined {
  // The API's messages start « Question 3 : … » (a question's rank) or « Question cle : … »
  // (its key).
  const byIndex = message.match(/^Question (\d+) :/);
  if (byIndex) return d.questions[Number(byIndex[1]) - 1]?.uid;
  const byKey = message.match(/^(?:Question|La question) (?:« )?([a-z0-9_-]+)(?: »)? /);
  if (byKey) return d.questions.find((q) => q.key.trim() === byKey[1])?.uid;
  return undefined;
}
