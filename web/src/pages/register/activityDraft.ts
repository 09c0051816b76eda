// The activity form's state: every field as typed (strings for numbers, so nothing typed is
// ever lost), converted to the API's ActivityInput on submit.
import type { ActivityInput } from "../../gql/graphql";

export type LegalBasisDraft = { basis: string; justification: string };
export type SubjectDraft = { category: string; estimatedCount: string };
export type DataCategoryDraft = { category: string; sensitive: boolean; criminal: boolean };
export type TransferDraft = { country: string; recipient: string; safeguard: string };
export type RetentionDraft = { data: string; durationMonths: string; startingEvent: string; finalFate: string };

export type ActivityDraft = {
  role: string;
  name: string;
  purposes: string;
  controllerName: string;
  legalBases: LegalBasisDraft[];
  dataSubjects: SubjectDraft[];
  dataCategories: DataCategoryDraft[];
  recipients: string;
  transfers: TransferDraft[];
  retention: RetentionDraft[];
  securityMeasures: string;
  dpiaCriteria: string[];
  origin: string;
  collectionMethod: string;
  information: string;
  software: string;
  department: string;
  owner: string;
  processorIds: string[];
};

export const emptyDraft: ActivityDraft = {
  role: "controller",
  name: "",
  purposes: "",
  controllerName: "",
  legalBases: [],
  dataSubjects: [],
  dataCategories: [],
  recipients: "",
  transfers: [],
  retention: [],
  securityMeasures: "",
  dpiaCriteria: [],
  origin: "",
  collectionMethod: "",
  information: "",
  software: "",
  department: "",
  owner: "",
  processorIds: [],
};

/** What the API returns for an activity (the fields the form edits). */
export type ActivityContent = {
  role: { code: string };
  name: string;
  purposes: string;
  controllerName: string | null;
  legalBases: { basis: { code: string }; justification: string }[];
  dataSubjects: { category: string; estimatedCount: number | null }[];
  dataCategories: { category: string; sensitive: boolean; criminal: boolean }[];
  recipients: string[];
  transfers: { country: string; recipient: string; safeguard: { code: string } }[];
  retention: { data: string; durationMonths: number; startingEvent: string; finalFate: { code: string } }[];
  securityMeasures: string[];
  dpiaCriteria: { code: string }[];
  origin: string;
  collectionMethod: string;
  information: string;
  software: string;
  department: string;
  owner: string;
  processorIds: string[];
};

export function draftFromActivity(a: ActivityContent): ActivityDraft {
  return {
    role: a.role.code,
    name: a.name,
    purposes: a.purposes,
    controllerName: a.controllerName ?? "",
    legalBases: a.legalBases.map((l) => ({ basis: l.basis.code, justification: l.justification })),
    dataSubjects: a.dataSubjects.map((d) => ({
      category: d.category,
      estimatedCount: d.estimatedCount === null ? "" : String(d.estimatedCount),
    })),
    dataCategories: a.dataCategories.map((d) => ({ ...d })),
    recipients: a.recipients.join("\n"),
    transfers: a.transfers.map((t) => ({ country: t.country, recipient: t.recipient, safeguard: t.safeguard.code })),
    retention: a.retention.map((r) => ({
      data: r.data,
      durationMonths: String(r.durationMonths),
      startingEvent: r.startingEvent,
      finalFate: r.finalFate.code,
    })),
    securityMeasures: a.securityMeasures.join("\n"),
    dpiaCriteria: a.dpiaCriteria.map((c) => c.code),
    origin: a.origin,
    collectionMethod: a.collectionMethod,
    information: a.information,
    software: a.software,
    department: a.department,
    owner: a.owner,
    processorIds: [...a.processorIds],
  };
}

const lines = (s: string) =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/** A whole number typed in a text field, or null when empty; NaN when not a number. */
export function parseCount(s: string): number | null {
  const t = s.trim().replace(/\s/g, "");
  if (!t) return null;
  return /^-?\d+$/.test(t) ? Number(t) : Number.NaN;
}

export function draftToInput(d: ActivityDraft): ActivityInput {
  return {
    role: d.role,
    name: d.name,
    purposes: d.purposes,
    controllerName: d.controllerName.trim() ? d.controllerName : null,
    legalBases: d.legalBases.map((l) => ({ basis: l.basis, justification: l.justification })),
    dataSubjects: d.dataSubjects.map((s) => ({ category: s.category, estimatedCount: parseCount(s.estimatedCount) })),
    dataCategories: d.dataCategories.map((c) => ({ ...c })),
    recipients: lines(d.recipients),
    transfers: d.transfers.map((t) => ({ ...t })),
    retention: d.retention.map((r) => ({
      data: r.data,
      durationMonths: parseCount(r.durationMonths),
      startingEvent: r.startingEvent,
      finalFate: r.finalFate,
    })),
    securityMeasures: lines(d.securityMeasures),
    dpiaCriteria: d.dpiaCriteria,
    origin: d.origin,
    collectionMethod: d.collectionMethod,
    information: d.information,
    software: d.software,
    department: d.department,
    owner: d.owner,
    processorIds: d.processorIds,
  };
}

/**
 * The checks the console makes before sending, in the API's words (same fields, same rules
 * as ActivityFields::validate for what needs no server data). The API checks everything
 * again; its field errors are shown the same way.
 */
export function checkDraft(d: ActivityDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = d.name.trim();
  if (!name) errors.name = "Donnez un nom au traitement.";
  else if ([...name].length > 200) errors.name = "200 caractères au plus.";
  if (d.role === "processor" && !d.controllerName.trim())
    errors.controllerName =
      "Le registre d'un sous-traitant nomme le responsable de traitement pour lequel il agit (art. 30.2.a).";
  if (d.dataSubjects.some((s) => !s.category.trim()))
    errors.dataSubjects = "Une catégorie de personnes concernées n'a pas de nom.";
  else if (d.dataSubjects.some((s) => { const n = parseCount(s.estimatedCount); return n !== null && (Number.isNaN(n) || n < 0); }))
    errors.dataSubjects = "Un nombre estimé doit être un nombre entier positif.";
  if (d.dataCategories.some((c) => !c.category.trim())) errors.dataCategories = "Une catégorie de données n'a pas de nom.";
  if (d.retention.some((r) => { const n = parseCount(r.durationMonths); return n !== null && Number.isNaN(n); }))
    errors.retention = "La durée de conservation s'écrit en nombre entier de mois.";
  if (d.transfers.some((t) => !/^[A-Za-z]{2}$/.test(t.country.trim())))
    errors.transfers = "Le pays d'un transfert s'écrit en code ISO 3166-1 à deux lettres (par exemple US).";
  return errors;
}
