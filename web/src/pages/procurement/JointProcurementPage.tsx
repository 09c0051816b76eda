// Procurement across communes (the DSI): families several communes buy separately whose
// combined need reaches a threshold (joint-procurement opportunities), and the families one
// commune splits under a threshold (R2121-4 and following).
import { useState } from "react";
import { Link } from "react-router-dom";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { SelectField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatCents, plural } from "../../format/fr";
import { JointOpportunitiesQuery } from "./procurementQueries";
import { categoryLabels, thresholdLabels } from "./procurementLabels";

export function JointProcurementPage() {
  const ctx = useAuthenticated();
  const organisationId = ctx.organisations[0]?.id ?? "";
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState<number | null>(null);
  const inYear = year === null ? "sur toutes les années" : `en ${year}`;
  const q = useQuery(JointOpportunitiesQuery, { organisationId, year }, { skip: !organisationId });
  const opportunities = [...(q.data?.jointProcurementOpportunities ?? [])].sort((a, b) => b.totalEstimatedCents - a.totalEstimatedCents);
  const splitting = q.data?.splittingAlerts ?? [];
  return (
    <>
      <PageHeading title="Achats groupés">
        Achats de toutes les communes : familles achetées séparément par plusieurs communes, à grouper, et alertes de saucissonnage.
      </PageHeading>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-3">
          <SelectField id="joint-year" label="Année" value={year === null ? "" : String(year)} onChange={(v) => setYear(v ? Number(v) : null)}
            placeholder="Toutes les années"
            options={[thisYear + 1, thisYear, thisYear - 1, thisYear - 2, thisYear - 3].map((y) => ({ value: String(y), label: String(y) }))} />
        </div>
      </div>
      <p>
        <Link to="/contrats">Tous les contrats des communes</Link>
      </p>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les achats des communes" /> : null}

      <h2 className="fr-h4">Opportunités de groupements de commandes</h2>
      <p role="status" aria-live="polite" className="fr-text--sm">
        {q.data ? `${plural(opportunities.length, "famille achetée", "familles achetées")} séparément par plusieurs communes ${inYear}.` : ""}
      </p>
      {q.data && !opportunities.length ? <EmptyState>Aucune famille achetée par plusieurs communes {inYear}.</EmptyState> : null}
      {opportunities.length ? (
        <DataTable
          caption={`Opportunités de groupements de commandes ${inYear}`}
          captionHidden
          headers={["Famille (classe CPV)", "Catégorie", "Année", "Besoin cumulé", "Communes", "Seuil atteint ensemble"]}
          rows={opportunities.map((o) => [
            `${o.cpvClass} — ${o.cpvClassLabel}`,
            categoryLabels[o.category] ?? o.category,
            String(o.year),
            <span className="console-nowrap">{formatCents(o.totalEstimatedCents)}</span>,
            <ul className="fr-text--sm fr-mb-0">
              {o.tenants.map((t) => (
                <li key={t.tenantId}>
                  {ctx.tenantName(t.tenantId)} : {formatCents(t.estimatedCents)}
                </li>
              ))}
            </ul>,
            o.reaches ? `${thresholdLabels[o.reaches.kind] ?? o.reaches.kind} (${formatCents(o.reaches.amountCents)})` : "aucun",
          ])}
        />
      ) : null}

      <h2 className="fr-h4 fr-mt-6w">Alertes de saucissonnage</h2>
      {q.data && !splitting.length ? <EmptyState>Aucune alerte {inYear}.</EmptyState> : null}
      {splitting.length ? (
        <DataTable
          caption={`Alertes de saucissonnage ${inYear}`}
          captionHidden
          headers={["Commune", "Famille (classe CPV)", "Catégorie", "Année", "Besoin de l'année", "Plus gros contrat", "Contrats", "Seuil franchi"]}
          rows={splitting.map((s) => [
            ctx.tenantName(s.tenantId),
            `${s.cpvClass} — ${s.cpvClassLabel}`,
            categoryLabels[s.category] ?? s.category,
            String(s.year),
            formatCents(s.totalEstimatedCents),
            formatCents(s.largestSingleCents),
            String(s.contractIds.length),
            `${thresholdLabels[s.threshold.kind] ?? s.threshold.kind} (${formatCents(s.threshold.amountCents)})`,
          ])}
        />
      ) : null}
    </>
  );
}
