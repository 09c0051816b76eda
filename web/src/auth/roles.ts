// The API's roles (tenants/src/tenancy/role.rs) and what the console shows for each: neutral
// forms, since nothing says who holds the role (as Role::label_fr on the server).
export type Role =
  | "platform_admin"
  | "org_admin"
  | "dpo"
  | "commune_admin"
  | "commune_editor"
  | "auditor";

export const roleLabels: Record<string, string> = {
  platform_admin: "Opérateur ou opératrice de la plateforme",
  org_admin: "DSI de l'intercommunalité",
  dpo: "DPO de l'intercommunalité",
  commune_admin: "Administrateur ou administratrice de commune",
  commune_editor: "Agent ou agente de commune",
  auditor: "Auditeur ou auditrice",
};

export function roleLabel(role: string): string {
  return roleLabels[role] ?? role;
}

/** What each screen needs, following the permissions of role.rs. */
export type Capability =
  | "readGdpr"
  | "editGdpr"
  | "exportGdpr"
  | "readReports"
  | "readBackups"
  | "readCosts"
  | "readInvoices"
  | "publishMaturity"
  | "readProcurement"
  | "editProcurement"
  | "recordRestoreTests"
  | "manageCosts"
  | "checkGdpr"
  | "readDirectory"
  | "manageUsers"
  | "assessMaturity"
  | "editBillingIdentity"
  | "validateDpia"
  | "publishModels"
  | "editGdprActors"
  | "exportAllData";

const capabilities: Record<Role, Capability[]> = {
  platform_admin: ["readGdpr", "editGdpr", "exportGdpr", "readReports", "readBackups", "readCosts", "readInvoices", "publishMaturity", "readProcurement", "editProcurement", "recordRestoreTests", "manageCosts", "readDirectory", "manageUsers", "assessMaturity", "editBillingIdentity", "publishModels", "editGdprActors", "exportAllData"],
  org_admin: ["readGdpr", "editGdpr", "exportGdpr", "readReports", "readBackups", "readCosts", "readInvoices", "publishMaturity", "readProcurement", "editProcurement", "recordRestoreTests", "manageCosts", "readDirectory", "manageUsers", "assessMaturity", "editBillingIdentity", "publishModels", "editGdprActors", "exportAllData"],
  dpo: ["readGdpr", "editGdpr", "exportGdpr", "readReports", "readBackups", "publishMaturity", "checkGdpr", "readDirectory", "assessMaturity", "publishModels", "editGdprActors"],
  commune_admin: ["readGdpr", "editGdpr", "exportGdpr", "readBackups", "readCosts", "readInvoices", "readProcurement", "editProcurement", "recordRestoreTests", "readDirectory", "manageUsers", "assessMaturity", "editBillingIdentity", "validateDpia", "editGdprActors", "exportAllData"],
  commune_editor: ["readGdpr", "editGdpr", "readBackups", "readProcurement", "editProcurement", "readDirectory"],
  auditor: ["readGdpr", "exportGdpr", "readBackups", "readCosts", "readInvoices", "readProcurement", "readDirectory"],
};

export function can(roles: string[], capability: Capability): boolean {
  return roles.some((r) => (capabilities[r as Role] ?? []).includes(capability));
}

/** Roles that reach every commune of an organisation. */
export function isOrganisationWide(roles: string[]): boolean {
  return roles.some((r) => r === "platform_admin" || r === "org_admin" || r === "dpo");
}
