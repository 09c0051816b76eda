// The commune the screens show. People who reach several communes (DSI, DPO, auditors of
// several communes) choose one or all; a person of one commune just sees its name.
import { useId } from "react";
import { useAuthenticated } from "../auth/SessionProvider";
import { roleLabel } from "../auth/roles";

export function TenantSwitcher() {
  const { tenants, tenantId, setTenantId, roles, organisations } = useAuthenticated();
  const id = useId();
  const rolesText = [...new Set(roles)].map(roleLabel).join(", ");
  const organisation = organisations[0]?.name;
  return (
    <div className="console-tenant-bar">
      <div className="fr-container fr-py-2w">
        <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--middle">
          <div className="fr-col-12 fr-col-md-6">
            <p className="fr-text--sm fr-mb-0">
              {organisation ? <strong>{organisation}</strong> : null}
              {organisation ? <br /> : null}
              Rôle : {rolesText || "aucun"}
            </p>
          </div>
          <div className="fr-col-12 fr-col-md-6">
            {tenants.length > 1 ? (
              <div className="fr-select-group">
                <label className="fr-label" htmlFor={id}>
                  Commune affichée
                </label>
                <select
                  className="fr-select"
                  id={id}
                  value={tenantId ?? ""}
                  onChange={(e) => setTenantId(e.target.value || null)}
                >
                  <option value="">Toutes les communes ({tenants.length})</option>
                  {tenants.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                      {t.inseeCode ? ` (${t.inseeCode})` : t.kind === "organisation" ? " (intercommunalité)" : ""}
                    </option>
                  ))}
                </select>
              </div>
            ) : tenants.length === 1 ? (
              <p className="fr-mb-0">
                Commune : <strong>{tenants[0]!.name}</strong>
              </p>
            ) : (
              <p className="fr-mb-0">Aucune commune accessible.</p>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}
