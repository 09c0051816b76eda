// The landing screen: the person's role, a commune's own figures (for whoever works in one
// commune), the screens they can open, and their latest alerts.
import { Link } from "react-router-dom";
import { Tile } from "@codegouvfr/react-dsfr/Tile";
import { useAuthenticated } from "../auth/SessionProvider";
import { roleLabel } from "../auth/roles";
import { entriesFor } from "../layout/navigation";
import { PageHeading } from "../layout/PageHeading";
import { can } from "../auth/roles";
import { CommuneFigures } from "./home/CommuneFigures";

const descriptions: Record<string, string> = {
  "/tableau-de-bord": "Indicateurs consolidés de toutes les communes, graphiques et export PDF.",
  "/registre": "Activités de traitement : liste, filtres, création et modification.",
  "/demandes": "Demandes d'exercice des droits et leur délai légal.",
  "/violations": "Violations de données et le délai de 72 heures.",
  "/sauvegardes": "État des sauvegardes par rapport à leur objectif de point de reprise.",
  "/couts": "Quote-part des coûts expliquée ligne à ligne, factures.",
  "/alertes": "Échéances proches ou dépassées, sauvegardes en retard, factures impayées.",
  "/maturite": "Questionnaires de maturité RGPD, évaluations des communes et leur progression.",
  "/suivi-dpo": "Analyses d'impact à mener et demandes de droits en retard de toutes les communes.",
  "/contrats": "Marchés en cours, reconductions à décider et préavis, avenants.",
  "/repartition": "Enveloppes de coûts, répartitions entre communes et simulation d'une autre répartition.",
  "/facturation": "Campagnes de facturation, factures des communes et leur envoi.",
  "/achats-groupes": "Familles achetées séparément par plusieurs communes, à grouper ; saucissonnage.",
  "/communes": "Communes membres, utilisateurs et leurs rôles, invitations.",
  "/export": "Export du registre pour un audit (formats ouverts, manifeste vérifiable).",
};

export function HomePage() {
  const ctx = useAuthenticated();
  const entries = entriesFor(ctx.roles).filter((e) => e.path !== "/");
  return (
    <>
      <PageHeading title={`Bonjour ${ctx.session.displayName}`}>
        {[...new Set(ctx.roles)].map(roleLabel).join(", ") || "Aucun rôle"}
        {ctx.currentTenant ? ` · ${ctx.currentTenant.name}` : ctx.tenants.length > 1 ? ` · ${ctx.tenants.length} communes` : ""}
      </PageHeading>
      {ctx.currentTenant && ctx.currentTenant.kind !== "organisation" && can(ctx.roles, "readGdpr") ? (
        <CommuneFigures tenantId={ctx.currentTenant.id} tenantName={ctx.currentTenant.name} />
      ) : null}
      <h2 className="fr-h4">Vos espaces</h2>
      <div className="fr-grid-row fr-grid-row--gutters">
        {entries.map((e) => (
          <div key={e.path} className="fr-col-12 fr-col-md-6 fr-col-lg-4">
            <Tile title={e.label} desc={descriptions[e.path]} linkProps={{ to: e.path }} titleAs="h3" orientation="vertical" />
          </div>
        ))}
      </div>
      <p className="fr-mt-4w">
        <Link to="/alertes">Voir toutes les alertes</Link>
      </p>
    </>
  );
}
