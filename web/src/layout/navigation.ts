// The console's screens and who sees them in the navigation.
import { can, type Capability } from "../auth/roles";

export type NavEntry = { path: string; label: string; needs?: Capability; roles?: string[] };

export const navEntries: NavEntry[] = [
  { path: "/", label: "Accueil" },
  { path: "/tableau-de-bord", label: "Tableau de bord", needs: "readReports" },
  { path: "/registre", label: "Registre RGPD", needs: "readGdpr" },
  { path: "/demandes", label: "Demandes de droits", needs: "readGdpr" },
  { path: "/violations", label: "Violations", needs: "readGdpr" },
  { path: "/sauvegardes", label: "Sauvegardes", needs: "readBackups" },
  { path: "/couts", label: "Coûts et factures", needs: "readCosts" },
  { path: "/alertes", label: "Alertes" },
  { path: "/export", label: "Export", needs: "exportGdpr" },
];

export function entriesFor(roles: string[]): NavEntry[] {
  return navEntries.filter((e) => !e.needs || can(roles, e.needs));
}

export function isActive(entry: NavEntry, pathname: string): boolean {
  return entry.path === "/" ? pathname === "/" : pathname === entry.path || pathname.startsWith(`${entry.path}/`);
}
