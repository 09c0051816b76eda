// Alerts of the communes reached (the `alerts` query): what is due or overdue, newest first,
// filtered by kind; each with its deadline and the time left.
import { useMemo, useState } from "react";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { graphql } from "../../gql";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { SelectField } from "../../components/formFields";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { daysBetween, formatCountdown, formatDate, formatDateTime, formatDaysLeft, plural, today } from "../../format/fr";
import { alertKindLabel, alertKindLabels, alertSeverity } from "./alertKinds";

export const AlertsQuery = graphql(`
  query Alerts($tenantIds: [UUID!], $first: Int!) {
    alerts(tenantIds: $tenantIds, first: $first) {
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
`);

export function AlertsPage() {
  const ctx = useAuthenticated();
  const [kind, setKind] = useState("");
  const alerts = useQuery(AlertsQuery, { tenantIds: ctx.tenantIds, first: 200 });
  const now = Date.now();
  const shown = useMemo(
    () => (alerts.data?.alerts ?? []).filter((a) => !kind || a.kind === kind),
    [alerts.data, kind],
  );
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const a of alerts.data?.alerts ?? []) c[a.kind] = (c[a.kind] ?? 0) + 1;
    return c;
  }, [alerts.data]);

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
            onChange={setKind}
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
      <p role="status" aria-live="polite" className="fr-text--sm">
        {alerts.data ? `${plural(shown.length, "alerte")}.` : ""}
      </p>
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
    </>
  );
}
