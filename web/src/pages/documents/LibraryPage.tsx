// « Bibliothèque »: the templates, guides and procedures the organisation's DPO publishes to
// every commune, versioned (a new version keeps the old ones). A commune's people open them
// (which records that they read them); the DPO publishes, adds versions and sees, per
// resource, which communes read the current version, and who.
import { useRef, useState, type FormEvent } from "react";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can, isOrganisationWide } from "../../auth/roles";
import { splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { ErrorSummary, SelectField, TextAreaField, TextField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatBytes, formatDate, formatDateTime, plural } from "../../format/fr";
import type { LibraryQuery as LibraryResult } from "../../gql/graphql";
import { LibraryQuery } from "./documentQueries";
import { ACCEPTED_FILES, ACCEPTED_HINT, postForm } from "./upload";

type Resource = LibraryResult["libraryResources"][number];

export function LibraryPage() {
  const ctx = useAuthenticated();
  const q = useQuery(LibraryQuery, {});
  // Publishing is the organisation's (PublishModels on the server: the DPO and the DSI).
  const publisher = can(ctx.roles, "publishMaturity");
  const follows = isOrganisationWide(ctx.roles);
  const resources = q.data?.libraryResources ?? [];
  // A commune person opens a version for the commune chosen in the header (a receipt).
  const openHref = (url: string) => (ctx.tenantId ? `${url}?tenant=${ctx.tenantId}` : url);

  return (
    <>
      <PageHeading title="Bibliothèque">
        Les modèles, guides et procédures que le DPO de l'intercommunalité met à la disposition des communes. Chaque
        ressource garde toutes ses versions ; l'ouverture d'une version par une personne de la commune est notée, pour
        que le DPO sache qui a lu la version en vigueur.
      </PageHeading>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="la bibliothèque" /> : null}
      {q.data && !resources.length ? <EmptyState>Aucune ressource publiée.</EmptyState> : null}
      {resources.map((r) => (
        <ResourceCard key={r.id} r={r} follows={follows} publisher={publisher} openHref={openHref} onChange={q.reload} />
      ))}
      {publisher && q.data ? (
        <section className="fr-mt-6w" aria-labelledby="publish-resource-heading">
          <h2 id="publish-resource-heading" className="fr-h4">Publier une ressource</h2>
          <ResourceForm idPrefix="publish" organisations={ctx.organisations} categories={q.data.libraryCategories}
            onDone={q.reload} />
        </section>
      ) : null}
    </>
  );
}

function ResourceCard({ r, follows, publisher, openHref, onChange }: {
  r: Resource;
  follows: boolean;
  publisher: boolean;
  openHref: (url: string) => string;
  onChange: () => void;
}) {
  const [addVersion, setAddVersion] = useState(false);
  const headingId = `resource-${r.id}`;
  const current = r.current;
  return (
    <section className="fr-card fr-card--no-arrow fr-mb-3w fr-p-3w" aria-labelledby={headingId}>
      <h2 id={headingId} className="fr-h5 fr-mb-1w">{r.title}</h2>
      <p className="fr-mb-1w">
        <Badge as="span" small noIcon severity="info">{r.category.label}</Badge>{" "}
        <Badge as="span" small noIcon>{`Version ${r.currentVersion}`}</Badge>{" "}
        {follows ? null : r.readByMe ? (
          <Badge as="span" small severity="success">Lue</Badge>
        ) : (
          <Badge as="span" small severity="new">Non lue</Badge>
        )}
      </p>
      {r.description ? <p className="fr-text--sm">{r.description}</p> : null}
      {current ? (
        <p>
          <a className="fr-link fr-icon-download-line fr-link--icon-left" href={openHref(current.openUrl)}
            {...(current.kind === "link" ? { target: "_blank", rel: "noopener" } : { download: current.fileName ?? true })}
            onClick={() => window.setTimeout(onChange, 1500)}>
            {current.kind === "link" ? `Ouvrir le lien (version ${current.version})` : `Télécharger ${current.fileName} (version ${current.version}, ${formatBytes(current.bytes ?? 0)})`}
            {current.kind === "link" ? <span className="fr-sr-only"> (nouvelle fenêtre)</span> : null}
          </a>
          {current.note ? <span className="fr-text--sm"> — {current.note}</span> : null}
        </p>
      ) : null}
      {follows ? (
        <>
          <p className="fr-text--sm fr-mb-1w">
            <strong>{`${r.communesRead} sur ${plural(r.communesTotal, "commune")}`}</strong> ont lu la version {r.currentVersion}.
          </p>
          <DataTable
            caption={`Lecture de la version ${r.currentVersion} de « ${r.title} »`}
            headers={["Commune", "Version en vigueur", "Lue par", "Dernière version lue"]}
            rows={r.communes.map((c) => [
              c.tenantName,
              c.readCurrent ? (
                <Badge key="s" as="span" small severity="success">Lue</Badge>
              ) : (
                <Badge key="s" as="span" small severity="warning">Non lue</Badge>
              ),
              c.readers.length ? c.readers.map((x) => `${x.readerName} (${formatDateTime(x.readAt)})`).join(", ") : "—",
              c.lastVersionRead ? `Version ${c.lastVersionRead}` : "Jamais ouverte",
            ])}
          />
        </>
      ) : null}
      {r.versions.length > 1 ? (
        <details className="fr-mt-2w">
          <summary>Versions précédentes</summary>
          <ul>
            {r.versions.filter((v) => v.version !== r.currentVersion).map((v) => (
              <li key={v.id}>
                <a href={openHref(v.openUrl)} {...(v.kind === "link" ? { target: "_blank", rel: "noopener" } : { download: v.fileName ?? true })}>
                  Version {v.version}
                </a>{" "}
                du {formatDate(v.publishedAt.slice(0, 10))}{v.note ? ` — ${v.note}` : ""}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {publisher ? (
        addVersion ? (
          <div className="fr-mt-2w">
            <h3 className="fr-h6">Nouvelle version de « {r.title} »</h3>
            <VersionForm idPrefix={`version-${r.id}`} resourceId={r.id} onDone={() => { setAddVersion(false); onChange(); }} />
          </div>
        ) : (
          <button type="button" className="fr-btn fr-btn--secondary fr-btn--sm fr-mt-2w" onClick={() => setAddVersion(true)}>
            Publier une nouvelle version
          </button>
        )
      ) : null}
    </section>
  );
}

const labels: Record<string, string> = {
  organisationId: "Intercommunalité",
  title: "Titre",
  description: "Description",
  category: "Catégorie",
  note: "Ce qui change",
  file: "Fichier",
  url: "Ou un lien",
};

/** The file or link of a version, and its note: shared by both forms. */
function ContentFields({ idPrefix, errors, url, setUrl, note, setNote, fileRef }: {
  idPrefix: string;
  errors: Record<string, string>;
  url: string;
  setUrl: (v: string) => void;
  note: string;
  setNote: (v: string) => void;
  fileRef: React.RefObject<HTMLInputElement | null>;
}) {
  const id = (f: string) => `${idPrefix}-${f}`;
  return (
    <>
      <div className="fr-col-12 fr-col-md-6">
        <div className={`fr-upload-group${errors.file ? " fr-upload-group--error" : ""}`}>
          <label className="fr-label" htmlFor={id("file")}>
            {labels.file}
            <span className="fr-hint-text">{ACCEPTED_HINT}</span>
          </label>
          <input ref={fileRef} className="fr-upload" type="file" id={id("file")} accept={ACCEPTED_FILES}
            aria-invalid={errors.file ? true : undefined} aria-describedby={errors.file ? `${id("file")}-error` : undefined} />
          <div className="fr-messages-group" aria-live="polite">
            {errors.file ? <p className="fr-message fr-message--error" id={`${id("file")}-error`}>{errors.file}</p> : null}
          </div>
        </div>
      </div>
      <div className="fr-col-12 fr-col-md-6">
        <TextField id={id("url")} label={labels.url} hint="Une adresse https://, à la place d'un fichier" value={url} onChange={setUrl} error={errors.url} />
      </div>
      <div className="fr-col-12">
        <TextField id={id("note")} label={labels.note} value={note} onChange={setNote} error={errors.note} />
      </div>
    </>
  );
}

function useFormState() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const fail = (err: unknown) => {
    const s = splitFieldErrors(err);
    setErrors(s.fields);
    setGeneral(s.general);
    requestAnimationFrame(() => summaryRef.current?.focus());
  };
  return { errors, setErrors, general, setGeneral, done, setDone, busy, setBusy, summaryRef, fail };
}

function ResourceForm({ idPrefix, organisations, categories, onDone }: {
  idPrefix: string;
  organisations: { id: string; name: string }[];
  categories: { code: string; label: string }[];
  onDone: () => void;
}) {
  const f = useFormState();
  const [org, setOrg] = useState(organisations.length === 1 ? organisations[0]!.id : "");
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [category, setCategory] = useState("");
  const [url, setUrl] = useState("");
  const [note, setNote] = useState("");
  const fileRef = useRef<HTMLInputElement>(null);
  const id = (x: string) => `${idPrefix}-${x}`;

  async function submit(e: FormEvent) {
    e.preventDefault();
    f.setDone(null);
    const file = fileRef.current?.files?.[0];
    const local: Record<string, string> = {};
    if (!org) local.organisationId = "Choisissez l'intercommunalité.";
    if (!title.trim()) local.title = "Donnez un titre à la ressource.";
    if (!category) local.category = "Choisissez la catégorie.";
    if (!file && !url.trim()) local.file = "Joignez un fichier ou indiquez un lien.";
    f.setErrors(local);
    f.setGeneral([]);
    if (Object.keys(local).length) {
      requestAnimationFrame(() => f.summaryRef.current?.focus());
      return;
    }
    const form = new FormData();
    form.set("organisationId", org);
    form.set("title", title.trim());
    form.set("description", description);
    form.set("category", category);
    form.set("note", note);
    if (file) form.set("file", file, file.name);
    else form.set("url", url.trim());
    f.setBusy(true);
    try {
      await postForm("/library/resources", form);
      f.setDone(`La ressource « ${title.trim()} » est publiée pour les communes.`);
      setTitle("");
      setDescription("");
      setCategory("");
      setUrl("");
      setNote("");
      if (fileRef.current) fileRef.current.value = "";
      onDone();
    } catch (err) {
      f.fail(err);
    } finally {
      f.setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="publish-resource-heading">
      <ErrorSummary errors={f.errors} general={f.general} labels={labels} summaryRef={f.summaryRef} />
      {f.done ? <div role="status"><Alert severity="success" small className="fr-mb-2w" description={f.done} /></div> : null}
      <div className="fr-grid-row fr-grid-row--gutters">
        {organisations.length > 1 ? (
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id={id("organisationId")} label={labels.organisationId} required value={org} onChange={setOrg}
              error={f.errors.organisationId} placeholder="Choisir" options={organisations.map((o) => ({ value: o.id, label: o.name }))} />
          </div>
        ) : null}
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={id("title")} label={labels.title} required value={title} onChange={setTitle} error={f.errors.title} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <SelectField id={id("category")} label={labels.category} required value={category} onChange={setCategory}
            error={f.errors.category} placeholder="Choisir" options={categories.map((c) => ({ value: c.code, label: c.label }))} />
        </div>
        <div className="fr-col-12">
          <TextAreaField id={id("description")} label={labels.description} value={description} onChange={setDescription} error={f.errors.description} />
        </div>
        <ContentFields idPrefix={idPrefix} errors={f.errors} url={url} setUrl={setUrl} note={note} setNote={setNote} fileRef={fileRef} />
      </div>
      <button type="submit" className="fr-btn fr-mt-2w" disabled={f.busy}>{f.busy ? "Publication…" : "Publier la ressource"}</button>
    </form>
  );
}

function VersionForm({ idPrefix, resourceId, onDone }: { idPrefix: string; resourceId: string; onDone: () => void }) {
  const f = useFormState();
  const [url, setUrl] = useState("");
  const [note, setNote] = useState("");
  const fileRef = useRef<HTMLInputElement>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const file = fileRef.current?.files?.[0];
    if (!file && !url.trim()) {
      f.setErrors({ file: "Joignez un fichier ou indiquez un lien." });
      requestAnimationFrame(() => f.summaryRef.current?.focus());
      return;
    }
    const form = new FormData();
    form.set("note", note);
    if (file) form.set("file", file, file.name);
    else form.set("url", url.trim());
    f.setBusy(true);
    try {
      await postForm(`/library/resources/${resourceId}/versions`, form);
      onDone();
    } catch (err) {
      f.fail(err);
    } finally {
      f.setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} noValidate aria-label="Nouvelle version">
      <ErrorSummary errors={f.errors} general={f.general} labels={labels} summaryRef={f.summaryRef} />
      <div className="fr-grid-row fr-grid-row--gutters">
        <ContentFields idPrefix={idPrefix} errors={f.errors} url={url} setUrl={setUrl} note={note} setNote={setNote} fileRef={fileRef} />
      </div>
      <button type="submit" className="fr-btn fr-btn--sm fr-mt-2w" disabled={f.busy}>Publier la version</button>
    </form>
  );
}
