// The form that sends one evidence document: its commune (for those who reach several), its
// type, title, date and file, and what it proves (the links the page gives, or an activity
// chosen here). The API checks the file's content and size; its refusals sit by the field.
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { splitFieldErrors } from "../../api/errorMessages";
import { ErrorSummary, SelectField, TextField } from "../../components/formFields";
import { today } from "../../format/fr";
import { ACCEPTED_FILES, ACCEPTED_HINT, postForm } from "./upload";

const labels: Record<string, string> = {
  tenantId: "Commune",
  kind: "Type de document",
  title: "Titre",
  documentDate: "Date du document",
  file: "Fichier",
  links: "Lié à",
};

export type UploadFormProps = {
  /** Prefix of the fields' ids (several forms on one page). */
  idPrefix: string;
  kinds: { code: string; label: string }[];
  /** The commune, when the page already says it. */
  tenantId: string | null;
  tenants: { id: string; name: string }[];
  /** What the page links the document to (`activity:<id>`…). */
  links?: string[];
  /** Activities to choose a link from (the Documents page). */
  activities?: { id: string; name: string; tenantId: string }[];
  onUploaded: (title: string) => void;
};

export function DocumentUploadForm({ idPrefix, kinds, tenantId, tenants, links = [], activities, onUploaded }: UploadFormProps) {
  const [tenant, setTenant] = useState(tenantId ?? "");
  const [kind, setKind] = useState("");
  const [title, setTitle] = useState("");
  const [date, setDate] = useState(today());
  const [activity, setActivity] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const id = (f: string) => `${idPrefix}-${f}`;
  const commune = tenantId ?? tenant;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    const file = fileRef.current?.files?.[0];
    const local: Record<string, string> = {};
    if (!commune) local.tenantId = "Choisissez la commune.";
    if (!kind) local.kind = "Choisissez le type du document.";
    if (!title.trim()) local.title = "Donnez un titre au document.";
    if (!date) local.documentDate = "Indiquez la date du document.";
    if (!file) local.file = "Choisissez le fichier à envoyer.";
    setErrors(local);
    setGeneral([]);
    if (Object.keys(local).length || !file) {
      requestAnimationFrame(() => summaryRef.current?.focus());
      return;
    }
    const form = new FormData();
    form.set("tenantId", commune);
    form.set("kind", kind);
    form.set("title", title.trim());
    form.set("documentDate", date);
    for (const l of links) form.append("links", l);
    if (activity) form.append("links", `activity:${activity}`);
    form.set("file", file, file.name);
    setBusy(true);
    try {
      await postForm("/documents", form);
      setDone(title.trim());
      setTitle("");
      setKind("");
      setActivity("");
      if (fileRef.current) fileRef.current.value = "";
      onUploaded(title.trim());
    } catch (err) {
      const { fields, general: g } = splitFieldErrors(err);
      setErrors(fields);
      setGeneral(g);
      requestAnimationFrame(() => summaryRef.current?.focus());
    } finally {
      setBusy(false);
    }
  }

  const fileError = errors.file;
  return (
    <form onSubmit={submit} noValidate aria-label="Déposer un document">
      <ErrorSummary errors={errors} general={general} labels={labels} summaryRef={summaryRef} />
      {done ? (
        <div role="status">
          <Alert severity="success" small className="fr-mb-2w" description={`Le document « ${done} » est déposé.`} />
        </div>
      ) : null}
      <div className="fr-grid-row fr-grid-row--gutters">
        {tenantId ? null : (
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id={id("tenantId")} label={labels.tenantId} required value={tenant} onChange={setTenant}
              error={errors.tenantId} placeholder="Choisir une commune" options={tenants.map((t) => ({ value: t.id, label: t.name }))} />
          </div>
        )}
        <div className="fr-col-12 fr-col-md-6">
          <SelectField id={id("kind")} label={labels.kind} required value={kind} onChange={setKind} error={errors.kind}
            placeholder="Choisir un type" options={kinds.map((k) => ({ value: k.code, label: k.label }))} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={id("title")} label={labels.title} required value={title} onChange={setTitle} error={errors.title}
            hint="Par exemple : Attestation de formation RGPD des agents, mars 2026" />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={id("documentDate")} type="date" label={labels.documentDate} required value={date} onChange={setDate}
            error={errors.documentDate} />
        </div>
        {activities ? (
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id={id("links")} label="Traitement concerné (facultatif)" value={activity} onChange={setActivity}
              error={errors.links} placeholder="Aucun"
              options={activities.filter((a) => !commune || a.tenantId === commune).map((a) => ({ value: a.id, label: a.name }))} />
          </div>
        ) : null}
        <div className="fr-col-12">
          <div className={`fr-upload-group${fileError ? " fr-upload-group--error" : ""}`}>
            <label className="fr-label" htmlFor={id("file")}>
              {labels.file}<span aria-hidden="true"> *</span>
              <span className="fr-hint-text">{ACCEPTED_HINT}</span>
            </label>
            <input ref={fileRef} className="fr-upload" type="file" id={id("file")} name="file" accept={ACCEPTED_FILES}
              aria-required aria-invalid={fileError ? true : undefined}
              aria-describedby={fileError ? `${id("file")}-error` : undefined} />
            <div className="fr-messages-group" aria-live="polite">
              {fileError ? <p className="fr-message fr-message--error" id={`${id("file")}-error`}>{fileError}</p> : null}
            </div>
          </div>
        </div>
      </div>
      <button type="submit" className="fr-btn fr-mt-2w" disabled={busy}>
        {busy ? "Envoi en cours…" : "Déposer le document"}
      </button>
    </form>
  );
}
