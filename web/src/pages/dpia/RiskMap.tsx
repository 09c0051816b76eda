// The 4×4 risk map of the CNIL's method: severity (rows, 4 at the top) by likelihood
// (columns). A real table: each cell names the risks there, « initial » or « résiduel »; the
// colours only repeat what the text says (high zone: both levels at least 3).
import { DataTable } from "../../components/DataTable";

const levels = ["Négligeable", "Limitée", "Importante", "Maximale"];

export type MapRow = { severity: number; severityLabel: string; cells: string[][] };

function zone(severity: number, likelihood: number): string {
  if (severity >= 3 && likelihood >= 3) return "console-riskmap__cell--high";
  if (severity + likelihood >= 5) return "console-riskmap__cell--medium";
  return "console-riskmap__cell--low";
}

export function RiskMap({ rows, caption }: { rows: MapRow[]; caption: string }) {
  return (
    <div className="console-riskmap">
      <DataTable
        caption={caption}
        rowHeaders
        headers={["Gravité \\ vraisemblance", ...levels.map((l, i) => `${i + 1} – ${l}`)]}
        rows={rows.map((r) => [
          `${r.severity} – ${r.severityLabel}`,
          ...r.cells.map((entries, i) => (
            <div key={i} className={`console-riskmap__cell ${zone(r.severity, i + 1)}`}>
              {entries.length ? (
                <ul className="console-riskmap__entries">
                  {entries.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              ) : (
                <span className="fr-sr-only">aucun risque</span>
              )}
            </div>
          )),
        ])}
      />
      <p className="fr-text--xs fr-mt-1w">
        Zone rouge : risque élevé (gravité et vraisemblance au moins importantes) ; un risque résiduel dans cette zone
        impose la consultation préalable de la CNIL (article 36 du RGPD).
      </p>
    </div>
  );
}
