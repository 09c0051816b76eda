// The DPO's yearly bilan of each commune: asked for every commune at once, made by the worker
// (a progress bar follows it), then downloaded per commune in DOCX (to edit) and PDF. A
// commune's people find their own commune's bilans here.
import { useEffect, useState } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { graphql } from "../../gql";
import type { GdprBilanRunQuery as RunResult } from "../../gql/graphql";
import { request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can, isOrganisationWide } from "../../auth/roles";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { SelectField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatDateTime } from "../../format/fr";

export const BilanFields = graphql(`
  fragment BilanFields on GdprBilan {
    id
    tenantId
    year
    docxUrl
    pdfUrl
    figures {
      commune
      activities
      activitiesValidated
      requestsReceived
      requestsInTime
      requestsLate
      breaches
      maturityBp
      actorsMissing
    }
  }
`);

export const GdprBilanRunsQuery = graphql(`
  query GdprBilanRuns($organisationId: UUID!) {
    gdprBilanRuns(organisationId: $organisationId) { id year total done finished createdAt }
  }
`);

export const GdprBilanRunQuery = graphql(`
  query GdprBilanRun($id: UUID!) {
    gdprBilanRun(id: $id) {
      id
      year
      total
      done
      finished
      finishedAt
      bilans { ...BilanFields }
    }
  }
`);

export const GdprBilansQuery = graphql(`
  query GdprBilans($tenantIds: [UUID!]) {
    gdprBilans(tenantIds: $tenantIds) { ...BilanFields }
  }
`);

const RequestBilans = graphql(`
  mutation RequestGdprBilans($organisationId: UUID!, $year: Int!) {
    requestGdprBilans(organisationId: $organisationId, year: $year) { id total }
  }
`);

type Run = RunResult["gdprBilanRun"];
type Bilan = Run["bilans"][number];

function percent(bp: number | null | undefined): string {
  return bp === null || bp === undefined ? "non évalué" : `${(bp / 100).toLocaleString("fr-FR", { minimumFractionDigits: 0, maximumFractionDigits: 2 })} %`;
}

export function GdprBilansPage() {
  const ctx = useAuthenticated();
  const organisationId = ctx.organisations[0]?.id ?? null;
  const orgWide = isOrganisationWide(ctx.roles);
  return (
    <>
      <PageHeading title="Bilan annuel du DPO">
        Pour chaque commune : ses acteurs, son registre, les demandes de droits et les violations de l'année au regard de leurs
        délais légaux, les analyses d'impact, le plan d'actions et l'indice de maturité. Un document à modifier (DOCX) et un PDF.
      </PageHeading>
      {orgWide && organisationId ? <Generation organisationId={organisationId} /> : <CommuneBilans />}
    </>
  );
}

function Generation({ organisationId }: { organisationId: string }) {
  const ctx = useAuthenticated();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(String(thisYear));
  const [runId, setRunId] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const runs = useQuery(GdprBilanRunsQuery, { organisationId });
  const latest = runId ?? runs.data?.gdprBilanRuns[0]?.id ?? null;
  const editable = can(ctx.roles, "editGdpr");

  async function generate() {
    setFailure(null);
    setBusy(true);
    try {
      const r = await request(RequestBilans, { organisationId, year: Number(year) });
      setRunId(r.requestGdprBilans.id);
    } catch (e) {
      setFailure(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const years = Array.from({ length: thisYear - 2018 + 1 }, (_, i) => String(thisYear - i));
  return (
    <>
      {editable ? (
        <section aria-labelledby="generate-title" className="fr-mb-4w">
          <h2 id="generate-title" className="fr-h4">Produire les bilans de toutes les communes</h2>
          <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
            <div className="fr-col-12 fr-col-md-3">
              <SelectField id="bilan-year" label="Année" value={year} onChange={setYear} options={years.map((y) => ({ value: y, label: y }))} />
            </div>
            <div className="fr-col-12 fr-col-md-9">
              <button type="button" className="fr-btn fr-mb-3w" disabled={busy} onClick={() => void generate()}>
                Générer les bilans {year}
              </button>
            </div>
          </div>
          {failure ? <Alert severity="error" small description={failure} /> : null}
        </section>
      ) : null}
      {runs.error ? <QueryError error={runs.error} /> : null}
      {runs.loading && !runs.data ? <Loading what="les bilans" /> : null}
      {latest ? <RunProgress key={latest} id={latest} /> : runs.data ? <EmptyState>Aucun bilan n'a encore été produit.</EmptyState> : null}
    </>
  );
}

function RunProgress({ id }: { id: string }) {
  const q = useQuery(GdprBilanRunQuery, { id });
  const run = q.data?.gdprBilanRun;
  const { reload } = q;
  // Asks again every second and a half while the worker is at it.
  useEffect(() => {
    if (!run || run.finished) return;
    const t = window.setTimeout(reload, 1500);
    return () => window.clearTimeout(t);
  }, [run, reload]);
  if (q.error) return <QueryError error={q.error} />;
  if (!run) return <Loading what="l'avancement" />;
  return (
    <section aria-labelledby="run-title">
      <h2 id="run-title" className="fr-h4">Bilans {run.year}</h2>
      <div className="console-progress fr-mb-3w">
        <label htmlFor="bilan-progress" className="fr-label">Avancement de la production des bilans</label>
        <progress id="bilan-progress" max={run.total} value={run.done}>
          {run.done} sur {run.total}
        </progress>
        <p aria-live="polite" className="fr-text--sm" id="bilan-progress-text">
          {run.finished
            ? `Terminé : ${run.done} bilans sur ${run.total}${run.finishedAt ? `, le ${formatDateTime(run.finishedAt)}` : ""}.`
            : `${run.done} bilan${run.done > 1 ? "s" : ""} sur ${run.total} produit${run.done > 1 ? "s" : ""}…`}
        </p>
      </div>
      <BilanTable bilans={run.bilans} />
    </section>
  );
}

function CommuneBilans() {
  const ctx = useAuthenticated();
  const q = useQuery(GdprBilansQuery, { tenantIds: ctx.tenantIds });
  if (q.error) return <QueryError error={q.error} />;
  if (!q.data) return <Loading what="les bilans" />;
  if (!q.data.gdprBilans.length) return <EmptyState>Aucun bilan n'a encore été produit pour votre commune.</EmptyState>;
  return <BilanTable bilans={q.data.gdprBilans} />;
}

function BilanTable({ bilans }: { bilans: Bilan[] }) {
  if (!bilans.length) return null;
  return (
    <DataTable
      caption="Bilans par commune"
      rowHeaders
      headers={["Commune", "Traitements (validés)", "Demandes reçues", "Dans le délai", "Hors délai", "Violations", "Maturité", "Télécharger"]}
      rows={bilans.map((b) => [
        b.figures.commune,
        `${b.figures.activities} (${b.figures.activitiesValidated})`,
        String(b.figures.requestsReceived),
        String(b.figures.requestsInTime),
        String(b.figures.requestsLate),
        String(b.figures.breaches),
        percent(b.figures.maturityBp),
        <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm" key="d">
          <li>
            <a className="fr-btn fr-btn--secondary" href={b.docxUrl} download>
              DOCX<span className="fr-sr-only"> : bilan {b.year} de {b.figures.commune}</span>
            </a>
          </li>
          <li>
            <a className="fr-btn fr-btn--secondary" href={b.pdfUrl} download>
              PDF<span className="fr-sr-only"> : bilan {b.year} de {b.figures.commune}</span>
            </a>
          </li>
        </ul>,
      ])}
    />
  );
}
