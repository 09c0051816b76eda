// « Importer depuis MADIS » : a commune's register brought from MADIS's own CSV exports
// (treatments and contractors). A check first (dry run) shows the report line by line; the
// import writes everything or nothing.
import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { graphql } from "../../gql";
import type { ImportMadisRegisterMutation } from "../../gql/graphql";
import { GraphQLRequestError, request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { DataTable } from "../../components/DataTable";
import { PageHeading } from "../../layout/PageHeading";

export const ImportMadisRegisterDocument = graphql(`
  mutation ImportMadisRegister($tenantId: UUID!, $treatmentsCsv: String, $contractorsCsv: String, $dryRun: Boolean) {
    importMadisRegister(tenantId: $tenantId, treatmentsCsv: $treatmentsCsv, contractorsCsv: $contractorsCsv, dryRun: $dryRun) {
      dryRun
      written
      links
      treatmentsImported
      treatmentsRefused
      treatmentsIgnored
      processorsImported
      processorsRefused
      processorsIgnored
      unmappedColumns
      lines { file line name status messages }
    }
  }
`);

type Report = ImportMadisRegisterMutation["importMadisRegister"];

/** The largest file the API reads (1 Mo). */
const MAX_BYTES = 1024 * 1024;

const STATUS = {
  IMPORTED: { dry: "À importer", done: "Importée", severity: "success" },
  REFUSED: { dry: "Refusée", done: "Refusée", severity: "error" },
  IGNORED: { dry: "Ignorée", done: "Ignorée", severity: "info" },
} as const;

function plural(n: number, one: string, many: string): string {
  return `${n} ${n > 1 ? many : one}`;
}

export function MadisImportPage() {
  const ctx = useAuthenticated();
  const tenantId = ctx.tenantId;
  const [treatments, setTreatments] = useState<File | null>(null);
  const [contractors, setContractors] = useState<File | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<{ text: string; field: string | undefined } | null>(null);
  const [busy, setBusy] = useState(false);

  if (!can(ctx.roles, "editGdpr")) {
    return (
      <>
        <PageHeading title="Importer depuis MADIS" />
        <Alert severity="warning" small description="Votre rôle ne permet pas de modifier le registre." />
      </>
    );
  }

  async function run(dryRun: boolean) {
    setError(null);
    if (!tenantId) return;
    if (!treatments && !contractors) {
      setError({ text: "Choisissez l'export des traitements, celui des sous-traitants, ou les deux.", field: "treatmentsCsv" });
      return;
    }
    for (const [f, field] of [[treatments, "treatmentsCsv"], [contractors, "contractorsCsv"]] as const) {
      if (f && f.size > MAX_BYTES) {
        setError({ text: `Le fichier « ${f.name} » dépasse 1 Mo.`, field });
        return;
      }
    }
    setBusy(true);
    try {
      const r = await request(ImportMadisRegisterDocument, {
        tenantId,
        treatmentsCsv: treatments ? await treatments.text() : null,
        contractorsCsv: contractors ? await contractors.text() : null,
        dryRun,
      });
      setReport(r.importMadisRegister);
    } catch (e) {
      const field = e instanceof GraphQLRequestError ? e.errors[0]?.extensions?.field : undefined;
      setError({ text: errorText(e) ?? "L'import a échoué.", field });
      setReport(null);
    } finally {
      setBusy(false);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void run(true);
  }

  const refused = report ? report.treatmentsRefused + report.processorsRefused : 0;
  const fileError = (field: string) => (error && error.field === field ? error.text : undefined);

  return (
    <>
      <PageHeading title="Importer depuis MADIS">
        Reprenez le registre que la commune tient dans MADIS : ses traitements et ses sous-traitants, à partir des
        exports CSV de MADIS (menu « Exporter »).
      </PageHeading>
      <p>
        <Link className="fr-link fr-icon-arrow-left-line fr-link--icon-left" to="/registre">Retour au registre</Link>
      </p>
      {!tenantId ? (
        <Alert severity="info" small description="Choisissez une commune dans le sélecteur : l'import écrit dans son registre." />
      ) : (
        <form onSubmit={submit} aria-describedby="madis-help">
          <p id="madis-help" className="fr-text--sm">
            Seules les lignes de {ctx.currentTenant?.name ?? "la commune"} (même SIREN ou même code INSEE) sont reprises.
            Vérifiez d'abord : le rapport indique, ligne par ligne, ce qui sera importé, refusé ou ignoré. Si une ligne est
            refusée, rien n'est importé. Les traitements importés sont des brouillons à valider ; une ligne déjà présente au
            registre (même nom) est ignorée.
          </p>
          <div className={`fr-upload-group fr-mb-3w${fileError("treatmentsCsv") ? " fr-input-group--error" : ""}`}>
            <label className="fr-label" htmlFor="madis-treatments">
              Export des traitements
              <span className="fr-hint-text">Fichier « AAAAMMJJ-treatment.csv » de MADIS, 1 Mo au plus.</span>
            </label>
            <input className="fr-upload" type="file" id="madis-treatments" accept=".csv,text/csv"
              aria-describedby="madis-treatments-messages"
              onChange={(e) => { setTreatments(e.target.files?.[0] ?? null); setReport(null); }} />
            <div className="fr-messages-group" id="madis-treatments-messages" aria-live="polite">
              {fileError("treatmentsCsv") ? <p className="fr-message fr-message--error">{fileError("treatmentsCsv")}</p> : null}
            </div>
          </div>
          <div className={`fr-upload-group fr-mb-3w${fileError("contractorsCsv") ? " fr-input-group--error" : ""}`}>
            <label className="fr-label" htmlFor="madis-contractors">
              Export des sous-traitants
              <span className="fr-hint-text">Fichier « AAAAMMJJ-contractor.csv » de MADIS, 1 Mo au plus.</span>
            </label>
            <input className="fr-upload" type="file" id="madis-contractors" accept=".csv,text/csv"
              aria-describedby="madis-contractors-messages"
              onChange={(e) => { setContractors(e.target.files?.[0] ?? null); setReport(null); }} />
            <div className="fr-messages-group" id="madis-contractors-messages" aria-live="polite">
              {fileError("contractorsCsv") ? <p className="fr-message fr-message--error">{fileError("contractorsCsv")}</p> : null}
            </div>
          </div>
          <ul className="fr-btns-group fr-btns-group--inline-sm">
            <li><button className="fr-btn fr-btn--secondary" type="submit" disabled={busy}>Vérifier les fichiers</button></li>
            <li>
              <button className="fr-btn" type="button" disabled={busy || !report || !report.dryRun || refused > 0}
                onClick={() => void run(false)}>
                Importer
              </button>
            </li>
          </ul>
          <p className="fr-text--sm">Les demandes de droits et les violations ne sont pas exportées par MADIS : saisissez-les ici.</p>
        </form>
      )}
      <div aria-live="polite">
        {error && !error.field?.endsWith("Csv") ? <Alert severity="error" small description={error.text} className="fr-mb-2w" /> : null}
        {report ? <MadisReport report={report} /> : null}
      </div>
    </>
  );
}

function MadisReport({ report }: { report: Report }) {
  const refused = report.treatmentsRefused + report.processorsRefused;
  const summary = `${plural(report.treatmentsImported, "traitement", "traitements")} et ${plural(report.processorsImported, "sous-traitant", "sous-traitants")}`;
  let title: string;
  let severity: "success" | "error" | "info";
  if (refused > 0) {
    title = `${plural(refused, "ligne refusée", "lignes refusées")} : rien n'est importé. Corrigez-les dans MADIS puis exportez à nouveau.`;
    severity = "error";
  } else if (report.dryRun) {
    title = `Vérification réussie : ${summary} à importer.`;
    severity = "info";
  } else {
    title = `Import terminé : ${summary} importés, ${plural(report.links, "lien", "liens")} entre eux.`;
    severity = "success";
  }
  const files = [
    { file: "treatmentsCsv", title: "Traitements" },
    { file: "contractorsCsv", title: "Sous-traitants" },
  ];
  return (
    <section className="fr-mt-4w" aria-labelledby="madis-report-title">
      <h2 id="madis-report-title" className="fr-h4">Rapport {report.dryRun ? "de vérification" : "d'import"}</h2>
      <Alert severity={severity} small description={title} className="fr-mb-3w" />
      {files.map(({ file, title: heading }) => {
        const lines = report.lines.filter((l) => l.file === file);
        if (!lines.length) return null;
        return (
          <DataTable key={file} caption={`${heading} : rapport ligne par ligne`}
            headers={["Ligne", "Nom", "Résultat", "Détails"]}
            rows={lines.map((l) => [
              String(l.line),
              l.name || "—",
              <Badge as="span" small noIcon severity={STATUS[l.status].severity} key="s">
                {report.dryRun ? STATUS[l.status].dry : STATUS[l.status].done}
              </Badge>,
              l.messages.length ? (
                <ul className="fr-text--sm fr-mb-0" key="m">{l.messages.map((m, i) => <li key={i}>{m}</li>)}</ul>
              ) : "—",
            ])} />
        );
      })}
      {report.unmappedColumns.length ? (
        <details className="fr-mt-2w">
          <summary>Colonnes de MADIS sans équivalent, non reprises ({report.unmappedColumns.length})</summary>
          <ul className="fr-text--sm">{report.unmappedColumns.map((c) => <li key={c}>{c}</li>)}</ul>
        </details>
      ) : null}
    </section>
  );
}
