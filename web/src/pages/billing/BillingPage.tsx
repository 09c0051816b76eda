// The DSI's billing runs: each run's invoices (one per commune, pushed to Stripe by the
// worker), starting the run of a period, and the background jobs that push them.
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { graphql } from "../../gql";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { DataTable } from "../../components/DataTable";
import { PAGE_SIZE, Pagination, ResultCount, useListParams, useSort } from "../../components/ListPager";
import { EmptyState } from "../../components/EmptyState";
import { ErrorSummary, SelectField, TextField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatCents, formatDate, formatDateTime, plural } from "../../format/fr";
import { usePeopleNames } from "../directory/usePeopleNames";

export const BillingRunsQuery = graphql(`
  query BillingRuns($organisationId: UUID, $first: Int!, $offset: Int!, $jobsFirst: Int!, $jobsOffset: Int!) {
    billingRuns(organisationId: $organisationId, first: $first, offset: $offset) {
      totalCount
      items {
      id
      periodStart
      periodEnd
      label
      status
      invoices
      totalCents
      createdBy
      createdAt
      finishedAt
      }
    }
    jobs(kind: "billing.push_invoice", first: $jobsFirst, offset: $jobsOffset) {
      totalCount
      items {
      id
      tenantId
      status
      attempts
      maxAttempts
      runAt
      lastError
      finishedAt
      }
    }
  }
`);

export const RunInvoicesQuery = graphql(`
  query RunInvoices($billingRunId: UUID, $orderBy: InvoiceOrder!, $descending: Boolean!, $first: Int!, $offset: Int!) {
    invoices(billingRunId: $billingRunId, orderBy: $orderBy, descending: $descending, first: $first, offset: $offset) {
      totalCount
      items {
      id
      tenantId
      number
      amountCents
      status
      issuedOn
      dueOn
      stripeInvoiceId
        channel
      }
    }
  }
`);

export const StartBillingRunMutation = graphql(`
  mutation StartBillingRun($organisationId: UUID!, $periodStart: Date!, $periodEnd: Date!, $label: String!) {
    startBillingRun(organisationId: $organisationId, periodStart: $periodStart, periodEnd: $periodEnd, label: $label) {
      id
      invoices
      totalCents
    }
  }
`);

const runStatusLabels: Record<string, string> = { running: "en cours d'envoi", done: "terminée" };
const invoiceStatusLabels: Record<string, string> = { pending: "en préparation", open: "à payer", paid: "payée", void: "annulée", credit_note: "avoir" };
const channelLabels: Record<string, string> = { chorus_pro: "Chorus Pro", titre: "titre de recettes", stripe: "Stripe" };
const jobStatusLabels: Record<string, string> = { pending: "en attente", running: "en cours", done: "fait", dead: "abandonné" };
const labels = { periodStart: "Début de la période", periodEnd: "Fin de la période", label: "Libellé" };

/** Sort keys of the invoices in the address, and the API's columns. */
const INVOICE_SORTS = { numero: "NUMBER", echeance: "DUE_ON", montant: "AMOUNT_CENTS", statut: "STATUS" } as const;
type InvoiceSortKey = keyof typeof INVOICE_SORTS;

export function BillingPage() {
  const ctx = useAuthenticated();
  const who = usePeopleNames();
  const organisationId = ctx.organisations[0]?.id ?? null;
  // Three lists, each with its page in the address: campaigns, the invoices of one, the jobs.
  const runPages = useListParams(20, "campagnes");
  const invoicePages = useListParams(PAGE_SIZE, "factures");
  const invoiceSort = useSort(invoicePages, "numero", Object.keys(INVOICE_SORTS));
  const jobPages = useListParams(20, "taches");
  const runs = useQuery(BillingRunsQuery, {
    organisationId,
    first: runPages.first,
    offset: runPages.offset,
    jobsFirst: jobPages.first,
    jobsOffset: jobPages.offset,
  });
  const runChoice = invoicePages.get("campagne");
  const list = runs.data?.billingRuns.items ?? [];
  const run = list.find((r) => r.id === runChoice) ?? list[0];
  const invoices = useQuery(
    RunInvoicesQuery,
    {
      billingRunId: run?.id ?? null,
      orderBy: INVOICE_SORTS[invoiceSort.by as InvoiceSortKey],
      descending: invoiceSort.descending,
      first: invoicePages.first,
      offset: invoicePages.offset,
    },
    { skip: !run },
  );
  const jobs = runs.data?.jobs.items ?? [];

  return (
    <>
      <PageHeading title="Facturation">
        Campagnes de facturation : une facture par commune pour les répartitions de la période, envoyées par la file de tâches.
      </PageHeading>
      {runs.error ? <QueryError error={runs.error} /> : null}
      {runs.loading && !runs.data ? <Loading what="les campagnes de facturation" /> : null}
      <h2 className="fr-h4">Campagnes</h2>
      <ResultCount total={runs.data?.billingRuns.totalCount} list={runPages} loading={runs.loading} />
      {runs.data && !list.length ? <EmptyState>Aucune campagne de facturation.</EmptyState> : null}
      {list.length ? (
        <DataTable
          caption="Campagnes de facturation"
          captionHidden
          headers={["Campagne", "Période", "Statut", "Factures", "Total", "Lancée"]}
          rows={list.map((r) => [
            r.label,
            `du ${formatDate(r.periodStart)} au ${formatDate(r.periodEnd)}`,
            <Badge as="span" small noIcon severity={r.status === "done" ? "success" : "info"}>{runStatusLabels[r.status] ?? r.status}</Badge>,
            String(r.invoices),
            <span className="console-nowrap">{formatCents(r.totalCents)}</span>,
            `${formatDateTime(r.createdAt)} par ${who(r.createdBy)}`,
          ])}
        />
      ) : null}
      <Pagination total={runs.data?.billingRuns.totalCount} list={runPages} label="Pages des campagnes" />
      {run ? (
        <section className="fr-mt-4w" aria-labelledby="run-invoices-title">
          <h2 className="fr-h4" id="run-invoices-title">Factures de la campagne</h2>
          <SelectField id="billing-run" label="Campagne affichée" value={run.id} onChange={(v) => invoicePages.update({ campagne: v })}
            options={list.map((r) => ({ value: r.id, label: `${r.label} (${formatDate(r.periodStart)} – ${formatDate(r.periodEnd)})` }))} />
          {invoices.error ? <QueryError error={invoices.error} /> : null}
          <ResultCount total={invoices.data?.invoices.totalCount} list={invoicePages} loading={invoices.loading} />
          {invoices.data ? (
            <DataTable
              caption={`Factures de « ${run.label} »`}
              captionHidden
              sort={{ keys: ["numero", null, null, "echeance", "montant", "statut", null], state: invoiceSort }}
              headers={["Numéro", "Commune", "Émise le", "Échéance", "Montant", "Statut", "Facture électronique"]}
              rows={invoices.data.invoices.items.map((i) => [
                i.number,
                ctx.tenantName(i.tenantId),
                formatDate(i.issuedOn),
                formatDate(i.dueOn),
                <span className="console-nowrap">{formatCents(i.amountCents)}</span>,
                <>
                  {invoiceStatusLabels[i.status] ?? i.status}
                  <span className="fr-hint-text">par {channelLabels[i.channel] ?? i.channel}</span>
                  {i.stripeInvoiceId ? <span className="fr-hint-text">Stripe {i.stripeInvoiceId}</span> : null}
                </>,
                <ul className="console-inline-links">
                  <li>
                    <a href={`/exports/billing/invoice?id=${i.id}&syntax=facturx`} download>
                      PDF Factur-X<span className="fr-sr-only"> de la facture {i.number}</span>
                    </a>
                  </li>
                  <li>
                    <a href={`/exports/billing/invoice?id=${i.id}`} download>
                      UBL<span className="fr-sr-only"> de la facture {i.number}</span>
                    </a>
                  </li>
                  <li>
                    <a href={`/exports/billing/invoice?id=${i.id}&syntax=cii`} download>
                      CII<span className="fr-sr-only"> de la facture {i.number}</span>
                    </a>
                  </li>
                </ul>,
              ])}
            />
          ) : null}
          <Pagination total={invoices.data?.invoices.totalCount} list={invoicePages} label="Pages des factures" />
        </section>
      ) : null}
      {can(ctx.roles, "manageCosts") && organisationId ? <StartRunForm organisationId={organisationId} onStarted={runs.reload} /> : null}
      <h2 className="fr-h4 fr-mt-6w">Envoi des factures (file de tâches)</h2>
      <ResultCount total={runs.data?.jobs.totalCount} list={jobPages} loading={runs.loading} />
      {runs.data && !jobs.length ? <EmptyState>Aucune tâche d'envoi.</EmptyState> : null}
      {jobs.length ? (
        <DataTable
          caption="Tâches d'envoi des factures"
          captionHidden
          headers={["Commune", "Statut", "Tentatives", "Prévue", "Terminée", "Dernière erreur"]}
          rows={jobs.map((j) => [
            ctx.tenantName(j.tenantId),
            <Badge as="span" small noIcon severity={j.status === "done" ? "success" : j.status === "dead" ? "error" : "info"}>{jobStatusLabels[j.status] ?? j.status}</Badge>,
            `${j.attempts} / ${j.maxAttempts}`,
            formatDateTime(j.runAt),
            formatDateTime(j.finishedAt),
            j.lastError ?? "—",
          ])}
        />
      ) : null}
      <Pagination total={runs.data?.jobs.totalCount} list={jobPages} label="Pages des tâches d'envoi" />
    </>
  );
}

function StartRunForm({ organisationId, onStarted }: { organisationId: string; onStarted: () => void }) {
  const year = new Date().getFullYear();
  const [form, setForm] = useState({ periodStart: `${year}-01-01`, periodEnd: `${year}-12-31`, label: `Facturation ${year}` });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!form.periodStart) local.periodStart = "Indiquez le début de la période.";
    if (!form.periodEnd) local.periodEnd = "Indiquez la fin de la période.";
    else if (form.periodStart && form.periodEnd < form.periodStart) local.periodEnd = "La fin précède le début.";
    if (!form.label.trim()) local.label = "Donnez un libellé à la campagne.";
    setDone(null);
    setErrors(local);
    setGeneral([]);
    if (Object.keys(local).length) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    try {
      const r = await request(StartBillingRunMutation, { organisationId, ...form });
      setDone(`Campagne lancée : ${plural(r.startBillingRun.invoices, "facture")}, ${formatCents(r.startBillingRun.totalCents)}.`);
      onStarted();
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
      requestAnimationFrame(() => summary.current?.focus());
    }
  }

  return (
    <section className="fr-mt-6w" aria-labelledby="start-run-title">
      <h2 className="fr-h4" id="start-run-title">Lancer une campagne</h2>
      <p className="fr-text--sm">Facture les répartitions en vigueur des enveloppes de coûts comprises dans la période (une facture par commune).</p>
      <ErrorSummary errors={errors} general={general} labels={labels} summaryRef={summary} />
      {done ? <div><Alert severity="success" small description={done} className="fr-mb-2w" /></div> : null}
      <form onSubmit={submit} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-3">
            <TextField id="field-periodStart" type="date" label={labels.periodStart} required value={form.periodStart} onChange={set("periodStart")} error={errors.periodStart} />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <TextField id="field-periodEnd" type="date" label={labels.periodEnd} required value={form.periodEnd} onChange={set("periodEnd")} error={errors.periodEnd} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-label" label={labels.label} required value={form.label} onChange={set("label")} error={errors.label} />
          </div>
        </div>
        <button type="submit" className="fr-btn">Lancer la campagne</button>
      </form>
    </section>
  );
}
