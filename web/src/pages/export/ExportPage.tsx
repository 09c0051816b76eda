// The auditor's export screen: registers of the communes chosen, in open formats (and the
// CNIL layout), as a ZIP whose manifest is recorded in the audit trail; and the check of a
// bundle received earlier against that trail.
import { useEffect, useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useAuthenticated } from "../../auth/SessionProvider";
import { CheckboxField, ErrorSummary, FieldsetGroup, TextField } from "../../components/formFields";
import { PageHeading } from "../../layout/PageHeading";
import { downloadRegisterExport, verifyBundle, type ExportResult, type Verification } from "./registerExport";

const formats = [
  { code: "pdf", label: "PDF (document imprimable)" },
  { code: "ods", label: "ODS (tableur, format ouvert)" },
  { code: "csv", label: "CSV" },
  { code: "xlsx", label: "XLSX" },
  { code: "json", label: "JSON" },
];

export function ExportPage() {
  const ctx = useAuthenticated();
  const [tenantIds, setTenantIds] = useState<string[]>(ctx.tenantId ? [ctx.tenantId] : ctx.tenants.map((t) => t.id));
  const [chosen, setChosen] = useState<string[]>(["pdf", "ods", "csv"]);
  const [cnil, setCnil] = useState(true);
  const [purpose, setPurpose] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<(ExportResult & { url: string }) | null>(null);

  useEffect(() => () => {
    if (result) URL.revokeObjectURL(result.url);
  }, [result]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!tenantIds.length) local.tenants = "Choisissez au moins une commune.";
    if (!chosen.length && !cnil) local.formats = "Choisissez au moins un format.";
    setErrors(local);
    setGeneral([]);
    // The previous archive's link must not stand beside this request's errors.
    setResult(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const r = await downloadRegisterExport({ tenantIds, formats: chosen, cnil, purpose });
      setResult({ ...r, url: URL.createObjectURL(r.blob) });
    } catch (err) {
      setGeneral([err instanceof Error ? err.message : String(err)]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeading title="Export du registre">
        Les registres des communes choisies, dans des formats ouverts, réunis dans une archive ZIP dont le manifeste (empreintes
        SHA-256 de chaque fichier) est inscrit au journal d'audit.
      </PageHeading>
      <ErrorSummary errors={errors} general={general} labels={{ tenants: "Communes", formats: "Formats" }} />
      <form onSubmit={submit} noValidate>
        <FieldsetGroup id="field-tenants" legend="Communes" error={errors.tenants}>
          {ctx.tenants.map((t) => (
            <CheckboxField key={t.id} id={`export-tenant-${t.id}`} label={t.name} checked={tenantIds.includes(t.id)}
              onChange={(on) => setTenantIds(on ? [...tenantIds, t.id] : tenantIds.filter((x) => x !== t.id))} />
          ))}
        </FieldsetGroup>
        <FieldsetGroup id="field-formats" legend="Formats" error={errors.formats}>
          {formats.map((f) => (
            <CheckboxField key={f.code} id={`export-format-${f.code}`} label={f.label} checked={chosen.includes(f.code)}
              onChange={(on) => setChosen(on ? [...chosen, f.code] : chosen.filter((x) => x !== f.code))} />
          ))}
          <CheckboxField id="export-cnil" label="Présentation du modèle de registre de la CNIL" checked={cnil} onChange={setCnil} />
        </FieldsetGroup>
        <TextField id="field-purpose" label="Objet de l'export" hint="Mission ou contrôle que cet export sert (inscrit au journal d'audit)."
          value={purpose} onChange={setPurpose} />
        <button className="fr-btn fr-icon-download-line fr-btn--icon-left" type="submit" disabled={busy}>
          {busy ? "Préparation de l'archive…" : "Préparer l'export"}
        </button>
      </form>
      {result ? (
        <div className="fr-mt-4w">
          <Alert
            severity="success"
            title="Archive prête"
            description={
              <>
                <a className="fr-link fr-icon-download-line fr-link--icon-left" href={result.url} download={result.fileName}>
                  Télécharger {result.fileName} ({Math.round(result.blob.size / 1024)} Ko)
                </a>
                {result.manifestSha256 ? (
                  <span className="fr-text--sm" style={{ display: "block", wordBreak: "break-all" }}>
                    Empreinte SHA-256 du manifeste : <code>{result.manifestSha256}</code>
                  </span>
                ) : null}
              </>
            }
          />
        </div>
      ) : null}
      <VerifySection />
    </>
  );
}

function VerifySection() {
  const [file, setFile] = useState<File | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) {
      setOutcome({ ok: false, text: "Choisissez une archive ZIP." });
      return;
    }
    try {
      const v: Verification = await verifyBundle(file);
      setOutcome(
        v.valid
          ? { ok: true, text: `Archive intègre${v.recorded ? " et inscrite au journal d'audit" : ""}.` }
          : { ok: false, text: `Archive non conforme : ${v.problem ?? "raison inconnue"}.` },
      );
    } catch (err) {
      setOutcome({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  }
  return (
    <section className="fr-mt-6w" aria-labelledby="verify-title">
      <h2 id="verify-title" className="fr-h4">Vérifier une archive</h2>
      <form onSubmit={submit}>
        <div className="fr-upload-group fr-mb-2w">
          <label className="fr-label" htmlFor="verify-file">
            Archive d'export (ZIP)
            <span className="fr-hint-text">Chaque fichier est comparé au manifeste, et le manifeste au journal d'audit.</span>
          </label>
          <input className="fr-upload" type="file" id="verify-file" accept=".zip,application/zip"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <button className="fr-btn fr-btn--secondary" type="submit">Vérifier</button>
      </form>
      {outcome ? (
        <div className="fr-mt-2w">
          <Alert severity={outcome.ok ? "success" : "error"} small description={outcome.text} />
        </div>
      ) : null}
    </section>
  );
}
