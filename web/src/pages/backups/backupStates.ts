// RPO states of backups (ok, late, failing, never) in French.
export const backupStateLabels: Record<string, string> = {
  ok: "À jour",
  late: "En retard",
  failing: "En échec",
  never: "Jamais sauvegardé",
};

export function backupStateLabel(state: string): string {
  return backupStateLabels[state] ?? state;
}

export function backupStateSeverity(state: string): "success" | "warning" | "error" | "info" {
  switch (state) {
    case "ok":
      return "success";
    case "late":
      return "warning";
    case "failing":
      return "error";
    default:
      return "info";
  }
}
