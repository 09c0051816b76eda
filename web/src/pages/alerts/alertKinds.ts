// French names of the alert kinds the API records (api/src/graphql/alerts).
export const alertKindLabels: Record<string, string> = {
  request_due: "Demande de droits à échéance",
  request_overdue: "Demande de droits en retard",
  breach_deadline: "Violation : délai de 72 h",
  contract_notice: "Préavis de contrat",
  backup_rpo: "Sauvegarde en retard",
  restore_test_due: "Test de restauration à faire",
  invoice_unpaid: "Facture impayée",
};

export function alertKindLabel(kind: string): string {
  return alertKindLabels[kind] ?? kind;
}

export function alertSeverity(kind: string): "error" | "warning" | "info" {
  if (kind === "request_overdue" || kind === "breach_deadline" || kind === "backup_rpo") return "error";
  if (kind === "invoice_unpaid" || kind === "request_due") return "warning";
  return "info";
}
