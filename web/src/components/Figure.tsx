// One key figure: its label, the value, a line of detail, and an optional link to the screen
// behind it. The dashboard and the commune's home page show their figures this way.
import type { ReactNode } from "react";
import { Link } from "react-router-dom";

export function Figure({ label, value, detail, to, toLabel }: { label: string; value: string; detail: ReactNode; to?: string; toLabel?: string }) {
  return (
    <div className="fr-col-12 fr-col-sm-6 fr-col-lg-3">
      <div className="fr-p-2w console-figure-box" data-figure={label}>
        <p className="fr-text--sm fr-mb-1v">{label}</p>
        <p className="console-figure fr-mb-1v">{value}</p>
        <p className="fr-text--xs fr-mb-0">{detail}</p>
        {to ? (
          <p className="fr-text--xs fr-mt-1w fr-mb-0">
            <Link to={to}>{toLabel ?? label}</Link>
          </p>
        ) : null}
      </div>
    </div>
  );
}
