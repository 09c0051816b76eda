// A commune's share of the shared services' costs, each line explained in French, its
// invoices (with the UBL e-invoice) and the annual statement in open formats.
import { useState } from "react";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { graphql } from "../../gql";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { PAGE_SIZE, Pagination, ResultCount, useListParams, useSort } from "../../components/ListPager";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { SelectField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatCents, formatDate } from "../../format/fr";

export const CostsQuery = graphql(`
  query CostsAndInvoices($tenantIds: [UUID!], $year: Int) {
    costLines(tenantIds: $tenantIds, year: $year) {
      id
      tenantId
      serviceName
      poolLabel
      amountCents
      explanation
      periodStart
      periodEnd
      superseded
    }
  }
`);

export const InvoicesQuery = graphql(`
  query Invoices($tenantIds: [UUID!], $orderBy: InvoiceOrder!, $descending: Boolean!, $first: Int!, $offset: Int!) {
    invoices(tenantIds: $tenantIds, orderBy: $orderBy, descending: $descending, first: $first, offset: $offset) {
      totalCount
      items {
        id
        tenantId
        number
        amountCents
        status
        issuedOn
        dueOn
      }
    }
  }
`);

const invoiceStatusLabels: Record<string, string> = {
  pending: "en préparation",
  open: "à payer",
  paid: "payée",
  void: "annulée",
  credit_note: "avoir",
};

/** Sort keys of the invoices in the address, and the API's columns. */
const INVOICE_SORTS = { numero: "NUMBER", echeance: "DUE_ON", montant: "AMOUNT_CENTS", statut: "STATUS" } as const;

export function CostsPage() {
  const ctx = useAuthenticated();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const costs = useQuery(CostsQuery, { tenantIds: ctx.tenantIds, year });
  const invoicePages = useListParams(PAGE_SIZE, "factures");
  const invoiceSort = useSort(invoicePages, "numero", Object.keys(INVOICE_SORTS));
  const invoices = useQuery(
    InvoicesQuery,
    {
      tenantIds: ctx.tenantIds,
      orderBy: INVOICE_SORTS[invoiceSort.by as keyof typeof INVOICE_SORTS],
      descending: invoiceSort.descending,
      first: invoicePages.first,
      offset: invoicePages.offset,
    },
    { skip: !can(ctx.roles, "readInvoices") },
  );
  const invoiceItems = invoices.data?.invoices.items ?? [];
  const lines = costs.data?.costLines ?? [];
  const total = lines.reduce((s, l) => s + l.amountCents, 0);
  const statement = (format: string) =>
    ctx.tenantId ? `/exports/billing/statement?tenant=${ctx.tenantId}&year=${year}&format=${format}` : null;

  return (
    <>
      <PageHeading title="Coûts et factures">
        {ctx.currentTenant ? `Quote-part de ${ctx.currentTenant.name}` : "Quotes-parts des communes"} dans les coûts des services partagés, expliquée ligne à ligne.
      </PageHeading>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <SelectField id="costs-year" label="Année" value={String(year)} onChange={(v) => setYear(Number(v))}
            options={[thisYear + 1, thisYear, thisYear - 1, thisYear - 2].map((y) => ({ value: String(y), label: String(y) }))} />
        </div>
      </div>
      {statement("pdf") ? (
        <ul className="fr-btns-group fr-btns-group--inline-md">
          <li><a className="fr-btn fr-btn--secondary" href={statement("pdf")!} download>Relevé annuel {year} (PDF)</a></li>
          <li><a className="fr-btn fr-btn--tertiary" href={statement("ods")!} download>Relevé annuel (ODS)</a></li>
        </ul>
      ) : (
        <p className="fr-text--sm">Choisissez une commune pour télécharger son relevé annuel.</p>
      )}
      <h2 className="fr-h4 fr-mt-4w">Lignes de coûts {year}</h2>
      {costs.error ? <QueryError error={costs.error} /> : null}
      {costs.loading && !costs.data ? <Loading what="les coûts" /> : null}
      {costs.data && !lines.length ? <EmptyState>Aucun coût réparti pour {year}.</EmptyState> : null}
      {lines.length ? (
        <>
          <p>Total : <strong>{formatCents(total)}</strong></p>
          <DataTable
            caption={`Lignes de coûts ${year}`}
            captionHidden
            headers={["Service", ...(ctx.tenantId ? [] : ["Commune"]), "Période", "Montant", "Explication"]}
            rows={lines.map((l) => [
              <>
                {l.serviceName}
                <span className="fr-hint-text">{l.poolLabel}</span>
              </>,
              ...(ctx.tenantId ? [] : [ctx.tenantName(l.tenantId)]),
              `du ${formatDate(l.periodStart)} au ${formatDate(l.periodEnd)}`,
              <span className="console-nowrap">{formatCents(l.amountCents)}</span>,
              <pre className="console-pre fr-text--sm">{l.explanation}</pre>,
            ])}
          />
        </>
      ) : null}
      {can(ctx.roles, "readInvoices") ? (
        <>
          <h2 className="fr-h4 fr-mt-4w">Factures</h2>
          {invoices.error ? <QueryError error={invoices.error} /> : null}
          <ResultCount total={invoices.data?.invoices.totalCount} list={invoicePages} loading={invoices.loading} />
          {invoices.data && !invoiceItems.length ? <EmptyState>Aucune facture.</EmptyState> : null}
          {invoiceItems.length ? (
            <DataTable
              caption="Factures"
              captionHidden
              sort={{ keys: ["numero", ...(ctx.tenantId ? [] : [null]), null, "echeance", "montant", "statut", null], state: invoiceSort }}
              headers={["Numéro", ...(ctx.tenantId ? [] : ["Commune"]), "Émise le", "Échéance", "Montant", "Statut", "Facture électronique"]}
              rows={invoiceItems.map((i) => [
                i.number,
                ...(ctx.tenantId ? [] : [ctx.tenantName(i.tenantId)]),
                formatDate(i.issuedOn),
                formatDate(i.dueOn),
                <span className="console-nowrap">{formatCents(i.amountCents)}</span>,
                <Badge as="span" small noIcon severity={i.status === "paid" ? "success" : i.status === "open" ? "warning" : undefined}>
                  {invoiceStatusLabels[i.status] ?? i.status}
                </Badge>,
                <a href={`/exports/billing/invoice?id=${i.id}`} download>
                  UBL<span className="fr-sr-only"> de la facture {i.number}</span>
                </a>,
              ])}
            />
          ) : null}
          <Pagination total={invoices.data?.invoices.totalCount} list={invoicePages} label="Pages des factures" />
        </>
      ) : null}
    </>
  );
}
