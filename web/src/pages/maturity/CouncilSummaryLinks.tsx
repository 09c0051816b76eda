// The commune's one-page summary for its council (GET /exports/reports/commune), in PDF and
// in the spreadsheet formats, for the current month (or the month of the figures shown beside).
import { currentPeriod, formatPeriod } from "../../format/fr";

export function CouncilSummaryLinks({ tenantId, tenantName, period = currentPeriod() }: { tenantId: string; tenantName: string; period?: string }) {
  const href = (format: string) =>
    `/exports/reports/commune?tenant=${encodeURIComponent(tenantId)}&period=${period}&format=${format}`;
  return (
    <div className="fr-callout fr-mb-4w">
      <h2 className="fr-callout__title fr-h5">Synthèse pour le conseil municipal</h2>
      <p className="fr-callout__text fr-text--sm">
        Une page : registre, échéances, sauvegardes, coûts et maturité de {tenantName}, {formatPeriod(period)}.
      </p>
      <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mt-2w">
        <li>
          <a className="fr-btn fr-icon-download-line" href={href("pdf")} download>
            Synthèse de {tenantName} (PDF)
          </a>
        </li>
        <li><a className="fr-btn fr-btn--secondary" href={href("ods")} download>ODS<span className="fr-sr-only"> (synthèse)</span></a></li>
        <li><a className="fr-btn fr-btn--secondary" href={href("xlsx")} download>XLSX<span className="fr-sr-only"> (synthèse)</span></a></li>
        <li><a className="fr-btn fr-btn--secondary" href={href("csv")} download>CSV<span className="fr-sr-only"> (synthèse)</span></a></li>
      </ul>
    </div>
  );
}
