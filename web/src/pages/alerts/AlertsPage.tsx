// Alerts of the communes reached (the `alerts` query): what is due or overdue, newest first,
// filtered by kind; each with its deadline and the time left.
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { graphql } from "../../gql";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { SelectField } from "../../components/formFields";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { Pagination, ResultCount, useListParams } from "../../components/ListPager";
import { daysBetween, formatCountdown, formatDate, formatDateTime, formatDaysLeft, today } from "../../format/fr";
import { alertKindLabel, alertKindLabels, alertSeverity } from "./alertKinds";

export const AlertsQuery = graphql(`
  query Alerts($tenantIds: [UUID!], $kind: String, $first: Int!, $offset: Int!) {
    alerts(tenantIds: $tenantIds, kind: $kind, first: $first, offset: $offset) {
      totalCount
      items {
        id
        tenantId
        kind
        title
        detail
        dueAt
        dueOn
        createdAt
      }
    }
    requestDue: alerts(tenantIds: $tenantIds, kind: "request_due", first: 1) { totalCount }
    requestOverdue: alerts(tenantIds: $tenantIds, kind: "request_overdue", first: 1) { totalCount }
    breachDeadline: alerts(tenantIds: $tenantIds, kind: "breach_deadline", first: 1) { totalCount }
    contractNotice: alerts(tenantIds: $tenantIds, kind: "contract_notice", first: 1) { totalCount }
    backupRpo: alerts(tenantIds: $tenantIds, kind: "backup_rpo", first: 1) { totalCount }
    restoreTestDue: alerts(tenantIds: $tenantIds, kind: "restore_test_due", first: 1) { totalCount }
    invoiceUnpaid: alerts(tenantIds: $tenantIds, kind: "invoice_unpaid", first: 1) { totalCount }
  }
`);

export function AlertsPage() {
  const ctx = useAuthenticated();
  const list = useListParams();
  const kind = alertKindLabels[list.get("type")] ? list.get("type") : "";
  const alerts = useQuery(AlertsQuery, { tenantIds: ctx.tenantIds, kind: kind || null, first: list.first, offset: list.offset });
  const now = Date.now();
  const shown = alerts.data?.alerts.items ?? [];
  const total = alerts.data?.alerts.totalCount;
  const d = alerts.data;
  // How many alerts of each kind, counted by the API (every page).
  const counts: Record<string, number | undefined> = {
    request_due: d?.requestDue.totalCount,
    request_overdue: d?.requestOverdue.totalCount,
    breach_deadline: d?.breachDeadline.totalCount,
    contract_notice: d?.contractNotice.totalCount,
    backup_rpo: d?.backupRpo.totalCount,
    restore_test_due: d?.restoreTestDue.totalCount,
    invoice_unpaid: d?.invoiceUnpaid.totalCount,
  };

  return (
    <>
      <PageHeading title="Alertes">
        {ctx.currentTenant ? `Alertes de ${ctx.currentTenant.name}.` : "Alertes de toutes les communes accessibles."}
      </PageHeading>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <SelectField
            id="alert-kind"
            label="Type d'alerte"
            value={kind}
            onChange={(v) => list.update({ type: v })}
            placeholder="Tous les types"
            options={Object.entries(alertKindLabels).map(([value, label]) => ({
              value,
              label: `${label} (${counts[value] ?? 0})`,
            }))}
          />
        </div>
      </div>
      {alerts.error ? <QueryError error={alerts.error} /> : null}
      {alerts.loading && !alerts.data ? <Loading what="les alertes" /> : null}
      <ResultCount total={total} list={list} loading={alerts.loading} />
      {alerts.data && shown.length === 0 ? <EmptyState>Aucune alerte en cours.</EmptyState> : null}
      {shown.length ? (
        <DataTable
          caption="Alertes en cours"
          captionHidden
          headers={["Alerte", "Type", ...(ctx.tenantId ? [] : ["Commune"]), "Échéance", "Signalée le"]}
          rows={shown.map((a) => {
            const secondsLeft = a.dueAt ? Math.round((Date.parse(a.dueAt) - now) / 1000) : null;
            // A day deadline (a request, a notice, an invoice) is a day, shown as the request's own
            // page shows it; only a breach's 72 hours are an instant.
            const due = a.dueOn ? (
              <>
                <span className="console-nowrap">{formatDate(a.dueOn)}</span>
                <span className="fr-hint-text">{formatDaysLeft(daysBetween(today(new Date(now)), a.dueOn))}</span>
              </>
            ) : a.dueAt ? (
              <>
                <span className="console-nowrap">{formatDateTime(a.dueAt)}</span>
                {secondsLeft !== null ? <span className="fr-hint-text">{formatCountdown(secondsLeft)}</span> : null}
              </>
            ) : (
              "—"
            );
            return [
              <>
                <strong>{a.title}</strong>
                <span className="fr-hint-text">{a.detail}</span>
              </>,
              <Badge as="span" small severity={alertSeverity(a.kind)}>{alertKindLabel(a.kind)}</Badge>,
              ...(ctx.tenantId ? [] : [ctx.tenantName(a.tenantId)]),
              due,
              <span className="console-nowrap">{formatDateTime(a.createdAt)}</span>,
            ];
          })}
        />
      ) : null}
      <Pagination total={total} list={list} label="Pages des alertes" />
    </>
  );
}
