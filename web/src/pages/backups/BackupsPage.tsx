// Backup state: each commune's state against its recovery point objective (RPO), then each
// policy with its last good run, missed and failed runs, and its last restore test.
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { graphql } from "../../gql";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatDateTime, formatNumber, compareNames } from "../../format/fr";
import { backupStateLabel, backupStateSeverity } from "./backupStates";
import { can } from "../../auth/roles";
import { RestoreTestForm } from "./RestoreTestForm";

export const BackupStateQuery = graphql(`
  query BackupState($tenantIds: [UUID!], $windowDays: Int!) {
    backupTenantStates(tenantIds: $tenantIds) {
      tenantId
      state
      policies
      ok
      late
      never
      failing
      restoreTestsDue
    }
    backupPolicyStatuses(tenantIds: $tenantIds, windowDays: $windowDays) {
      policy {
        id
        tenantId
        name
        kind
        target
        intervalHours
        rpoHours
      }
      state
      lastGoodAt
      lastJobAt
      lastJobStatus
      ageHours
      overdue
      missedJobs
      failedJobs
      windowDays
      lastRestoreTestAt
      lastRestoreTestResult
      restoreTestDue
    }
  }
`);

const kindLabels: Record<string, string> = { server: "Serveur", application: "Application", share: "Partage" };
const jobStatusLabels: Record<string, string> = { success: "réussie", warning: "avec avertissement", failed: "en échec" };
const restoreResultLabels: Record<string, string> = { success: "réussi", partial: "partiel", failed: "échoué" };

function StateBadge({ state }: { state: string }) {
  return (
    <Badge as="span" small severity={backupStateSeverity(state)}>
      {backupStateLabel(state)}
    </Badge>
  );
}

export function BackupsPage() {
  const ctx = useAuthenticated();
  const q = useQuery(BackupStateQuery, { tenantIds: ctx.tenantIds, windowDays: 30 });
  const tenants = [...(q.data?.backupTenantStates ?? [])].sort((a, b) =>
    compareNames(ctx.tenantName(a.tenantId), ctx.tenantName(b.tenantId)),
  );
  const policies = q.data?.backupPolicyStatuses ?? [];
  return (
    <>
      <PageHeading title="Sauvegardes">
        État des sauvegardes par rapport à leur objectif de point de reprise (RPO), sur les 30 derniers jours.
      </PageHeading>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="l'état des sauvegardes" /> : null}
      {tenants.length > 1 ? (
        <>
          <h2 className="fr-h4">Par commune</h2>
          <DataTable
            caption="État des sauvegardes par commune"
            captionHidden
            headers={["Commune", "État", "Politiques", "À jour", "En retard", "En échec", "Jamais", "Tests de restauration à faire"]}
            rows={tenants.map((t) => [
              ctx.tenantName(t.tenantId),
              <StateBadge state={t.state} />,
              formatNumber(t.policies),
              formatNumber(t.ok),
              formatNumber(t.late),
              formatNumber(t.failing),
              formatNumber(t.never),
              formatNumber(t.restoreTestsDue),
            ])}
          />
        </>
      ) : tenants.length === 1 ? (
        <p className="fr-text--lg">
          État de la commune : <StateBadge state={tenants[0]!.state} />
        </p>
      ) : null}
      <h2 className="fr-h4 fr-mt-4w">Politiques de sauvegarde</h2>
      {q.data && !policies.length ? <EmptyState>Aucune politique de sauvegarde active.</EmptyState> : null}
      {policies.length ? (
        <DataTable
          caption="Politiques de sauvegarde et leur état"
          captionHidden
          headers={["Politique", ...(ctx.tenantId ? [] : ["Commune"]), "État", "Dernière sauvegarde réussie", "Dernière exécution", "Manquées / échouées (30 j)", "Dernier test de restauration"]}
          rows={policies.map((p) => [
            <>
              <strong>{p.policy.name}</strong>
              <span className="fr-hint-text">
                {kindLabels[p.policy.kind] ?? p.policy.kind} · {p.policy.target} · toutes les {p.policy.intervalHours} h, RPO {p.policy.rpoHours} h
              </span>
            </>,
            ...(ctx.tenantId ? [] : [ctx.tenantName(p.policy.tenantId)]),
            <StateBadge state={p.state} />,
            <>
              {formatDateTime(p.lastGoodAt)}
              {p.ageHours !== null ? (
                <span className="fr-hint-text">il y a {formatNumber(Math.round(p.ageHours))} h{p.overdue ? " — RPO dépassé" : ""}</span>
              ) : null}
            </>,
            p.lastJobAt ? `${formatDateTime(p.lastJobAt)}${p.lastJobStatus ? ` (${jobStatusLabels[p.lastJobStatus] ?? p.lastJobStatus})` : ""}` : "—",
            `${formatNumber(p.missedJobs)} / ${formatNumber(p.failedJobs)}`,
            <>
              {p.lastRestoreTestAt
                ? `${formatDateTime(p.lastRestoreTestAt)} (${restoreResultLabels[p.lastRestoreTestResult ?? ""] ?? p.lastRestoreTestResult ?? ""})`
                : "Aucun"}
              {p.restoreTestDue ? <Badge as="span" small severity="warning">test à faire</Badge> : null}
            </>,
          ])}
        />
      ) : null}
      {q.data && can(ctx.roles, "recordRestoreTests") && policies.length ? (
        <RestoreTestForm policies={policies.map((p) => p.policy)} onRecorded={q.reload} />
      ) : null}
    </>
  );
}
