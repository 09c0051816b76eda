// A commune's own figures on its home page: register coverage, rights requests and their next
// deadline, breaches, backups, its costs of the year, maturity. They come from its line of the
// stored monthly report (`communeSummary`), the same line as its council summary (PDF, ODS):
// the page and the documents cannot disagree.
import { graphql } from "../../gql";
import { useQuery } from "../../api/useQuery";
import { Figure } from "../../components/Figure";
import { Loading, QueryError } from "../../components/QueryStatus";
import { formatBp, formatCents, formatDate, formatDateTime, formatNumber, formatPeriod, formatShare, plural } from "../../format/fr";
import { backupStateLabel } from "../backups/backupStates";
import { CouncilSummaryLinks } from "../maturity/CouncilSummaryLinks";

export const CommuneSummaryQuery = graphql(`
  query CommuneSummary($tenantId: UUID!) {
    communeSummary(tenantId: $tenantId) {
      tenantId
      name
      period
      computedAt
      activities
      activitiesValidated
      activitiesChecked
      activitiesValidatedBp
      requestsOpen
      requestsOverdue
      requestsDueSoon
      nextRequestDueOn
      breachesOpen
      breachesLate
      contractsToRenew
      backupState
      backupPolicies
      costsAllocatedCents
      invoicedCents
      unpaidCents
      maturityBp
    }
  }
`);

export function CommuneFigures({ tenantId, tenantName }: { tenantId: string; tenantName: string }) {
  const q = useQuery(CommuneSummaryQuery, { tenantId });
  const s = q.data?.communeSummary;
  return (
    <section className="fr-mb-4w" aria-labelledby="commune-figures-title">
      <h2 className="fr-h4" id="commune-figures-title">
        {tenantName} en chiffres
      </h2>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les chiffres de la commune" /> : null}
      {q.data && !s ? (
        <p className="fr-text--sm">Les chiffres de la commune n'ont pas encore été calculés : ils le seront dans l'heure.</p>
      ) : null}
      {s ? (
        <>
          <p className="fr-text--sm">
            Rapport de {formatPeriod(s.period)}, calculé le {formatDateTime(s.computedAt)}.
          </p>
          <div className="fr-grid-row fr-grid-row--gutters">
            <Figure
              label="Registre des traitements"
              value={formatShare(s.activitiesValidatedBp)}
              detail={
                s.activities
                  ? `${formatNumber(s.activitiesValidated)} validés sur ${plural(s.activities, "traitement")}, dont ${formatNumber(s.activitiesChecked)} contrôlés par le DPO`
                  : "Aucun traitement n'est encore inscrit au registre."
              }
              to="/registre"
              toLabel="Voir le registre"
            />
            <Figure
              label="Demandes de droits ouvertes"
              value={formatNumber(s.requestsOpen)}
              detail={
                s.nextRequestDueOn
                  ? `${formatNumber(s.requestsOverdue)} en retard ; prochaine échéance : ${formatDate(s.nextRequestDueOn)}`
                  : "Aucune demande en cours."
              }
              to="/demandes"
              toLabel="Voir les demandes"
            />
            <Figure
              label="Violations de données ouvertes"
              value={formatNumber(s.breachesOpen)}
              detail={`${formatNumber(s.breachesLate)} hors délai de 72 heures`}
              to="/violations"
              toLabel="Voir les violations"
            />
            {s.backupState !== null && s.backupState !== undefined ? (
              <Figure
                label="Sauvegardes"
                value={backupStateLabel(s.backupState)}
                detail={plural(s.backupPolicies ?? 0, "politique de sauvegarde", "politiques de sauvegarde")}
                to="/sauvegardes"
                toLabel="Voir les sauvegardes"
              />
            ) : null}
            {s.costsAllocatedCents !== null && s.costsAllocatedCents !== undefined ? (
              <Figure
                label={`Coûts mutualisés ${s.period.slice(0, 4)}`}
                value={formatCents(s.costsAllocatedCents)}
                detail={`facturé ${formatCents(s.invoicedCents)}, impayé ${formatCents(s.unpaidCents)}`}
                to="/couts"
                toLabel="Voir les coûts"
              />
            ) : null}
            {s.contractsToRenew !== null && s.contractsToRenew !== undefined ? (
              <Figure
                label="Marchés à reconduire"
                value={formatNumber(s.contractsToRenew)}
                detail="décision de reconduction ou fin sous 90 jours"
                to="/contrats"
                toLabel="Voir les marchés"
              />
            ) : null}
            <Figure
              label="Indice de maturité RGPD"
              value={s.maturityBp === null || s.maturityBp === undefined ? "non évaluée" : formatBp(s.maturityBp)}
              detail="dernière évaluation de la commune"
              to="/maturite"
              toLabel="Voir la maturité"
            />
          </div>
        </>
      ) : null}
      {q.data ? (
        <div className="fr-mt-4w">
          <CouncilSummaryLinks tenantId={tenantId} tenantName={tenantName} period={s?.period} />
        </div>
      ) : null}
    </section>
  );
}
