// The console's screens and who sees them in the navigation. Screens of one `group` become a
// menu of the main navigation when a person sees two or more of them.
import { can, type Capability } from "../auth/roles";

export type NavEntry = { path: string; label: string; needs?: Capability; group?: string };

export const navEntries: NavEntry[] = [
  { path: "/", label: "Accueil" },
  { path: "/tableau-de-bord", label: "Tableau de bord", needs: "readReports" },
  { path: "/registre", label: "Registre RGPD", needs: "readGdpr", group: "RGPD" },
  { path: "/demandes", label: "Demandes de droits", needs: "readGdpr", group: "RGPD" },
  { path: "/violations", label: "Violations", needs: "readGdpr", group: "RGPD" },
  { path: "/sous-traitants", label: "Sous-traitants", needs: "readGdpr", group: "RGPD" },
  { path: "/aipd", label: "Analyses d'impact", needs: "readGdpr", group: "RGPD" },
  { path: "/aipd/modeles", label: "Modèles d'AIPD", needs: "publishModels", group: "RGPD" },
  { path: "/documents", label: "Documents", needs: "readGdpr", group: "RGPD" },
  { path: "/bibliotheque", label: "Bibliothèque", needs: "readGdpr", group: "RGPD" },
  { path: "/acteurs-rgpd", label: "Acteurs RGPD", needs: "readGdpr", group: "RGPD" },
  { path: "/bilans-rgpd", label: "Bilan annuel", needs: "readGdpr", group: "RGPD" },
  { path: "/suivi-dpo", label: "Suivi DPO", needs: "checkGdpr", group: "RGPD" },
  { path: "/maturite", label: "Maturité", needs: "readGdpr", group: "RGPD" },
  { path: "/export", label: "Export", needs: "exportGdpr", group: "RGPD" },
  { path: "/contrats", label: "Contrats", needs: "readProcurement", group: "Commande publique" },
  { path: "/achats-groupes", label: "Achats groupés", needs: "manageCosts", group: "Commande publique" },
  { path: "/sauvegardes", label: "Sauvegardes", needs: "readBackups" },
  { path: "/couts", label: "Coûts et factures", needs: "readCosts", group: "Coûts" },
  { path: "/repartition", label: "Répartition", needs: "manageCosts", group: "Coûts" },
  { path: "/facturation", label: "Facturation", needs: "manageCosts", group: "Coûts" },
  { path: "/facturation/identites", label: "Identité de facturation", needs: "editBillingIdentity", group: "Coûts" },
  { path: "/alertes", label: "Alertes" },
  { path: "/communes", label: "Communes et utilisateurs", needs: "manageUsers" },
  { path: "/donnees-ouvertes", label: "Données ouvertes", needs: "editGdpr" },
  { path: "/reversibilite", label: "Réversibilité", needs: "exportAllData" },
];

export function entriesFor(roles: string[]): NavEntry[] {
  return navEntries.filter((e) => !e.needs || can(roles, e.needs));
}

/** The person's navigation: single screens, and menus of the groups with several screens. */
export type NavItem = { entry: NavEntry } | { group: string; entries: NavEntry[] };

export function navigationFor(roles: string[]): NavItem[] {
  const entries = entriesFor(roles);
  const items: NavItem[] = [];
  for (const e of entries) {
    const siblings = e.group ? entries.filter((x) => x.group === e.group) : [];
    if (siblings.length < 2) items.push({ entry: e });
    else if (siblings[0] === e) items.push({ group: e.group!, entries: siblings });
  }
  return items;
}

export function isActive(entry: NavEntry, pathname: string): boolean {
  return entry.path === "/" ? pathname === "/" : pathname === entry.path || pathname.startsWith(`${entry.path}/`);
}
