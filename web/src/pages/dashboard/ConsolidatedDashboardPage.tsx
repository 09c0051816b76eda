// The DSI's (and DPO's) consolidated dashboard: the stored monthly snapshot of every commune
// (`consolidatedReports`), figures, charts with their tables, and the exports of the month.
import { useState } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { BarChart } from "../../components/BarChart";
import { DataTable } from "../../components/DataTable";
import { Figure } from "../../components/Figure";
import { SelectField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatBp, formatBytes, formatCents, formatDateTime, formatNumber, formatPeriod, formatShare, plural, compareNames } from "../../format/fr";
import { backupStateLabel } from "../backups/backupStates";
import type { ConsolidatedReportsQuery as ReportsResult } from "../../gql/graphql";
import { ConsolidatedReportsQuery, RefreshReportMutation } from "./reportQueries";

export function ConsolidatedDashboardPage() {
  const ctx = useAuthenticated();
  const [organisationId, setOrganisationId] = useState(ctx.organisations[0]?.id ?? "");
  const reports = useQuery(ConsolidatedReportsQuery, { organisationId }, { skip: !organisationId });
  const [period, setPeriod] = useState("");
  const [refresh, setRefresh] = useState<{ ok: boolean; text: string } | null>(null);

  const list = reports.data?.consolidatedReports ?? [];
  const report = list.find((r) => r.period === period) ?? list[0];
  const organisation = ctx.organisations.find((o) => o.id === organisationId);

  async function askRefresh() {
    try {
      const queued = await request(RefreshReportMutation, { organisationId, period: report?.period ?? null });
      setRefresh({
        ok: true,
        text: queued
          ? "Le recalcul est demandé : le tableau sera à jour dans une minute environ."
          : "Un recalcul est déjà en attente pour ce mois.",
      });
    } catch (e) {
      const text = errorText(e);
      setRefresh(text ? { ok: false, text } : null);
    }
  }

  return (
    <>
      <PageHeading title="Tableau de bord consolidé">
        {organisation ? `${organisation.name} : ` : ""}registres, échéances, sauvegardes et coûts de chaque commune.
      </PageHeading>
      <div className="fr-grid-row fr-grid-row--gutters">
        {ctx.organisations.length > 1 ? (
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="dashboard-organisation" label="Intercommunalité" value={organisationId} onChange={setOrganisationId}
              options={ctx.organisations.map((o) => ({ value: o.id, label: o.name }))} />
          </div>
        ) : null}
        {list.length ? (
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="dashboard-period" label="Mois" value={report?.period ?? ""} onChange={setPeriod}
              options={list.map((r) => ({ value: r.period, label: formatPeriod(r.period) }))} />
          </div>
        ) : null}
      </div>
      {!organisationId ? <Alert severity="info" small description="Aucune intercommunalité accessible." /> : null}
      {reports.error ? <QueryError error={reports.error} /> : null}
      {reports.loading && !reports.data ? <Loading what="le tableau de bord" /> : null}
      {reports.data && !report ? (
        <Alert severity="info" title="Aucun rapport calculé" description="Le rapport du mois n'a pas encore été calculé : demandez un recalcul." className="fr-mb-3w" />
      ) : null}
      {report ? <ReportView report={report} organisationId={organisationId} /> : null}
      <div className="fr-mt-4w">
        <button type="button" className="fr-btn fr-btn--tertiary fr-icon-refresh-line fr-btn--icon-left" onClick={() => void askRefresh()}>
          Recalculer le rapport du mois
        </button>
        {refresh ? (
          <div className="fr-mt-2w">
            <Alert severity={refresh.ok ? "info" : "error"} small description={refresh.text} />
          </div>
        ) : null}
      </div>
    </>
  );
}

/** One stored monthly report, as the query returns it. */
type Report = ReportsResult["consolidatedReports"][number];

function ReportView({ report, organisationId }: { report: Report; organisationId: string }) {
  const t = report.total;
  // Member communes only (servers before the maturity index also listed the organisation's own tenant).
  const communes = report.communes.filter((c) => c.inseeCode !== null).sort((a, b) => compareNames(a.name, b.name));
  const exportHref = (format: string) =>
    `/exports/reports/consolidated?organisation=${encodeURIComponent(organisationId)}&period=${encodeURIComponent(report.period)}&format=${format}`;
  return (
    <>
      <p className="fr-text--sm">
        Rapport de {formatPeriod(report.period)}, calculé le {formatDateTime(report.computedAt)}.
      </p>
      <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
        <li>
          <a className="fr-btn fr-icon-download-line" href={exportHref("pdf")} download>
            Télécharger le rapport (PDF)
          </a>
        </li>
        <li>
          <a className="fr-btn fr-btn--secondary" href={exportHref("ods")} download>
            Tableur (ODS)
          </a>
        </li>
        <li>
          <a className="fr-btn fr-btn--secondary" href={exportHref("csv")} download>
            CSV
          </a>
        </li>
      </ul>

      <h2 className="fr-h3 fr-mt-4w">Chiffres clés</h2>
      <div className="fr-grid-row fr-grid-row--gutters">
        <Figure label="Traitements au registre" value={formatNumber(t.activities)}
          detail={t.activitiesValidatedBp === null ? "aucune activité au registre" : `${formatBp(t.activitiesValidatedBp)} validés (${formatNumber(t.activitiesValidated)}), dont ${formatNumber(t.activitiesChecked)} contrôlés par le DPO`} />
        <Figure label="Analyses d'impact" value={`${formatNumber(t.dpiaDone)} / ${formatNumber(t.dpiaRequired)}`} detail="réalisées / obligatoires" />
        <Figure label="Demandes de droits en retard" value={formatNumber(t.requestsOverdue)} detail={`${plural(t.requestsOpen, "ouverte")}, ${formatNumber(t.requestsDueSoon)} à échéance proche`} />
        <Figure label="Violations hors délai" value={formatNumber(t.breachesLate)} detail={plural(t.breachesOpen, "ouverte")} />
        <Figure label="Contrats à renouveler" value={formatNumber(t.contractsToRenew)} detail={plural(t.splittingAlerts, "alerte de saucissonnage", "alertes de saucissonnage")} />
        <Figure label="Sauvegardes" value={plural(t.backupPolicies, "politique")} detail={`${formatBytes(t.backupBytes)} stockés`} />
        <Figure label="Coûts répartis" value={formatCents(t.costsAllocatedCents)} detail={`facturé ${formatCents(t.invoicedCents)}`} />
        <Figure label="Impayés" value={formatCents(t.unpaidCents)} detail={`payé ${formatCents(t.paidCents)}`} />
        <Figure label="Maturité RGPD moyenne" value={formatBp(t.maturityBp)} detail={`${plural(t.maturityAssessed, "commune évaluée", "communes évaluées")} sur ${formatNumber(communes.length)}`} />
      </div>

      <h2 className="fr-h3 fr-mt-4w">Par commune</h2>
      <BarChart
        title="Registres : part des traitements validés"
        description="Part des traitements de chaque commune validés par la commune ou contrôlés par le DPO (chaque traitement compté une fois) ; « aucune activité » : la commune n'a encore aucun traitement au registre."
        valueHeader="Traitements validés"
        max={10000}
        bars={communes.map((c) => ({
          label: c.name,
          value: c.activitiesValidatedBp ?? 0,
          display: c.activitiesValidatedBp === null ? formatShare(null) : `${formatShare(c.activitiesValidatedBp)} (${c.activitiesValidated}/${c.activities})`,
        }))}
      />
      <BarChart
        title="Échéances dépassées"
        description="Demandes de droits en retard et violations notifiées hors délai, par commune."
        valueHeader="Échéances dépassées"
        bars={communes.map((c) => ({
          label: c.name,
          value: c.requestsOverdue + c.breachesLate,
          display: `${plural(c.requestsOverdue, "demande")}, ${plural(c.breachesLate, "violation")}`,
          tone: c.requestsOverdue + c.breachesLate ? "alt" : "default",
        }))}
      />
      <BarChart
        title="Sauvegardes : état des communes"
        description="Nombre de communes dans chaque état par rapport à leur objectif de point de reprise."
        valueHeader="Communes"
        bars={t.backupStates.map((s) => ({
          label: backupStateLabel(s.state),
          value: s.communes,
          display: plural(s.communes, "commune"),
          tone: s.state === "ok" ? "ok" : s.state === "late" ? "warn" : s.state === "failing" ? "alt" : "default",
        }))}
      />
      <BarChart
        title="Coûts répartis par commune"
        description="Quote-part des coûts des services partagés allouée à chaque commune pour le mois."
        valueHeader="Montant"
        bars={communes.map((c) => ({ label: c.name, value: c.costsAllocatedCents, display: formatCents(c.costsAllocatedCents) }))}
      />

      <BarChart
        title="Maturité RGPD par commune"
        description="Score de la dernière évaluation de maturité de chaque commune (0 à 100 %) ; les communes non évaluées n'ont pas de barre."
        valueHeader="Maturité"
        max={10000}
        bars={communes.map((c) => ({
          label: c.name,
          value: c.maturityBp ?? 0,
          display: c.maturityBp === null ? "non évaluée" : formatBp(c.maturityBp),
          tone: c.maturityBp === null ? "default" : c.maturityBp >= 7500 ? "ok" : c.maturityBp < 4000 ? "alt" : "default",
        }))}
      />

      <h2 className="fr-h3 fr-mt-4w">Détail</h2>
      <DataTable
        caption={`Indicateurs par commune, ${formatPeriod(report.period)}`}
        rowHeaders
        headers={["Commune", "Traitements", "Validés", "Contrôlés DPO", "Demandes en retard", "Violations ouvertes", "Sauvegardes", "Coûts", "Impayés", "Maturité"]}
        rows={communes.map((c) => [
          c.name,
          formatNumber(c.activities),
          c.activitiesValidatedBp === null ? formatShare(null) : `${formatNumber(c.activitiesValidated)} (${formatShare(c.activitiesValidatedBp)})`,
          formatNumber(c.activitiesChecked),
          formatNumber(c.requestsOverdue),
          formatNumber(c.breachesOpen),
          backupStateLabel(c.backupState),
          formatCents(c.costsAllocatedCents),
          formatCents(c.unpaidCents),
          c.maturityBp === null ? "non évaluée" : formatBp(c.maturityBp),
        ])}
      />
    </>
  );
}
