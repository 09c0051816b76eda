// A horizontal bar chart in SVG, with its figures repeated in a table for screen readers and
// for anyone who prefers numbers (RGAA 1.2 / 1.3: a text equivalent next to the image).
import { useId } from "react";
import { DataTable } from "./DataTable";

export type Bar = { label: string; value: number; display: string; tone?: "default" | "ok" | "warn" | "alt" };

export function BarChart({
  title,
  description,
  bars,
  valueHeader,
  max: maxGiven,
}: {
  title: string;
  description: string;
  bars: Bar[];
  valueHeader: string;
  max?: number;
}) {
  const id = useId();
  const rowHeight = 24;
  const labelWidth = 210;
  const valueWidth = 110;
  const width = 720;
  const chartWidth = width - labelWidth - valueWidth;
  const max = Math.max(maxGiven ?? 0, ...bars.map((b) => b.value), 1);
  const height = bars.length * rowHeight + 8;
  return (
    <figure className="fr-my-4w" aria-labelledby={`${id}-title`}>
      <h3 className="fr-h5" id={`${id}-title`}>{title}</h3>
      <p className="fr-text--sm" id={`${id}-desc`}>{description}</p>
      <svg
        className="console-bar-chart"
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        preserveAspectRatio="xMinYMin meet"
      >
        {bars.map((b, i) => {
          const y = i * rowHeight + 4;
          const w = Math.max((b.value / max) * chartWidth, b.value > 0 ? 2 : 0);
          const tone = b.tone && b.tone !== "default" ? `bar bar-${b.tone}` : "bar";
          return (
            <g key={b.label} aria-hidden="true">
              <text x={labelWidth - 8} y={y + rowHeight / 2 + 4} textAnchor="end">
                {b.label.length > 30 ? `${b.label.slice(0, 29)}…` : b.label}
              </text>
              <rect className={tone} x={labelWidth} y={y + 3} width={w} height={rowHeight - 8} rx={2} />
              <text x={labelWidth + w + 6} y={y + rowHeight / 2 + 4}>
                {b.display}
              </text>
            </g>
          );
        })}
      </svg>
      <details className="fr-mt-1w">
        <summary>Données du graphique : {title.toLowerCase()}</summary>
        <DataTable
          caption={title}
          headers={["Libellé", valueHeader]}
          rows={bars.map((b) => [b.label, b.display])}
          rowHeaders
        />
      </details>
    </figure>
  );
}
