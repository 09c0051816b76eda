// The register export (POST /exports/gdpr/register with the CSRF token: it records its manifest
// in the audit trail; a ZIP with its manifest) and the bundle check (POST /exports/verify).
import { getCsrfToken } from "../../api/graphqlClient";

export type ExportRequest = { tenantIds: string[]; formats: string[]; cnil: boolean; purpose: string };
export type ExportResult = { blob: Blob; fileName: string; manifestSha256: string | null };

async function problem(response: Response): Promise<string> {
  try {
    const body = await response.json();
    const message = body?.error?.message ?? body?.message ?? body?.problem;
    if (message) return String(message);
  } catch {
    /* not JSON */
  }
  if (response.status === 403) return "Votre rôle ne permet pas d'exporter ces registres.";
  if (response.status === 401) return "Votre session a expiré : reconnectez-vous.";
  return `Le serveur a répondu ${response.status}.`;
}

export function exportUrl(r: ExportRequest): string {
  const q = new URLSearchParams();
  for (const t of r.tenantIds) q.append("tenant", t);
  for (const f of r.formats) q.append("format", f);
  if (r.cnil) q.set("cnil", "true");
  if (r.purpose.trim()) q.set("purpose", r.purpose.trim());
  return `/exports/gdpr/register?${q.toString()}`;
}

export async function downloadRegisterExport(r: ExportRequest): Promise<ExportResult> {
  const token = getCsrfToken();
  const response = await fetch(exportUrl(r), {
    method: "POST",
    credentials: "same-origin",
    headers: token ? { "X-CSRF-Token": token } : {},
  });
  if (!response.ok) throw new Error(await problem(response));
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const fileName = disposition.match(/filename="([^"]+)"/)?.[1] ?? "registre-rgpd.zip";
  return { blob: await response.blob(), fileName, manifestSha256: response.headers.get("X-Manifest-Sha256") };
}

export type Verification = { valid: boolean; recorded: boolean; problem?: string; manifest?: unknown };

export async function verifyBundle(file: File): Promise<Verification> {
  const token = getCsrfToken();
  const response = await fetch("/exports/verify", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/zip", ...(token ? { "X-CSRF-Token": token } : {}) },
    body: file,
  });
  if (response.status === 200 || response.status === 422) return (await response.json()) as Verification;
  throw new Error(await problem(response));
}
