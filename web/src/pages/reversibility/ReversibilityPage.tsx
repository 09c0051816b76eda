// Réversibilité: the archive of every piece of data Mutualis holds for a commune (its
// administrator) or for the whole intercommunality (its DSI), in open documented formats,
// written by the worker (its progress shown while it runs) and downloaded here.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { graphql } from "../../gql";
import type { ReversibilityExportsQuery as ExportsResult } from "../../gql/graphql";
import { request } from "../../api/graphqlClient";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { isOrganisationWide } from "../../auth/roles";
import { DataTable } from "../../components/DataTable";
import { ErrorSummary, SelectField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { formatBytes, formatDateTime, formatNumber } from "../../format/fr";
import { PageHeading } from "../../layout/PageHeading";

export const ReversibilityExportsQuery = graphql(`
  query ReversibilityExports {
    reversibilityExports {
      id
      organisationId
      tenantId
      tenantName
      kind
      requestedBy
      status
      progressDone
      progressTotal
      archiveBytes
      rowsExported
      manifestSha256
      error
      createdAt
      finishedAt
      downloadUrl
    }
  }
`);

export const RequestReversibilityExportMutation = graphql(`
  mutation RequestReversibilityExport($organisationId: UUID!, $tenantId: UUID) {
    requestReversibilityExport(organisationId: $organisationId, tenantId: $tenantId) {
      id
      status
    }
  }
`);

type Export = ExportsResult["reversibilityExports"][number];

const statusLabels: Record<string, { label: string; severity: "info" | "success" | "error" | "new" }> = {
  pending: { label: "en attente", severity: "new" },
  running: { label: "en cours", severity: "info" },
  done: { label: "prête", severity: "success" },
  failed: { label: "échec, nouvel essai prévu", severity: "error" },
};

const WHOLE = "organisation";

function scopeLabel(e: Export): string {
  return e.kind === "organisation" ? `${e.tenantName} (toute l'intercommunalité)` : e.tenantName;
}

function Progress({ e }: { e: Export }) {
  const id = `progress-${e.id}`;
  if (e.status === "done") return <span>{formatNumber(e.rowsExported ?? 0)} lignes</span>;
  return (
    <>
      <label htmlFor={id} className="fr-sr-only">
        Progression de l'export de {scopeLabel(e)}
      </label>
      <progress id={id} max={e.progressTotal || 1} value={e.progressDone}>
        {e.progressTotal ? Math.round((100 * e.progressDone) / e.progressTotal) : 0} %
      </progress>
      <span className="fr-text--xs fr-ml-1w">
        {formatNumber(e.progressDone)} / {formatNumber(e.progressTotal)}
      </span>
    </>
  );
}

export function ReversibilityPage() {
  const ctx = useAuthenticated();
  const q = useQuery(ReversibilityExportsQuery, {});
  const list = q.data?.reversibilityExports ?? [];
  const orgWide = isOrganisationWide(ctx.roles) && ctx.roles.includes("org_admin");
  const communes = ctx.tenants.filter((t) => t.kind === "commune");
  const organisationId = ctx.organisations[0]?.id ?? ctx.tenants[0]?.organisationId ?? "";
  const [target, setTarget] = useState(orgWide ? WHOLE : ctx.tenantId ?? communes[0]?.id ?? "");
  const [general, setGeneral] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [announce, setAnnounce] = useState("");
  const previous = useRef<Record<string, string>>({});

  const running = list.some((e) => e.status === "pending" || e.status === "running");
  const reload = q.reload;
  useEffect(() => {
    if (!running) return;
    const t = window.setInterval(reload, 1500);
    return () => window.clearInterval(t);
  }, [running, reload]);

  // Says once, politely, when an export the page watched finishes.
  useEffect(() => {
    for (const e of list) {
      const before = previous.current[e.id];
      if (before && before !== e.status && (e.status === "done" || e.status === "failed")) {
        setAnnounce(`Export de ${scopeLabel(e)} : ${statusLabels[e.status]?.label ?? e.status}.`);
      }
      previous.current[e.id] = e.status;
    }
  }, [list]);

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setGeneral([]);
    setBusy(true);
    try {
      const tenantId = target === WHOLE ? null : target;
      const organisation = tenantId ? ctx.tenants.find((t) => t.id === tenantId)?.organisationId ?? organisationId : organisationId;
      const r = await request(RequestReversibilityExportMutation, { organisationId: organisation, tenantId });
      previous.current[r.requestReversibilityExport.id] = r.requestReversibilityExport.status;
      setAnnounce("Export demandé : il est préparé en arrière-plan.");
      reload();
    } catch (err) {
      setGeneral([err instanceof Error ? err.message : String(err)]);
    } finally {
      setBusy(false);
    }
  }

  const options = [
    ...(orgWide ? [{ value: WHOLE, label: "Toute l'intercommunalité (toutes les communes)" }] : []),
    ...(orgWide ? communes : communes.filter((t) => !ctx.tenantId || t.id === ctx.tenantId)).map((t) => ({
      value: t.id,
      label: t.name,
    })),
  ];

  return (
    <>
      <PageHeading title="Réversibilité">
        Toutes les données que Mutualis détient pour une commune, ou pour toute l'intercommunalité, dans une archive ZIP de
        formats ouverts et documentés : un fichier JSON par type d'élément, un CSV pour les tableaux, le schéma JSON de
        chacun, un README qui décrit chaque champ, et le manifeste des empreintes SHA-256 inscrit au journal d'audit.
        L'archive se réimporte dans une autre instance avec <code>mutualis import-archive</code>.
      </PageHeading>
      <ErrorSummary errors={{}} general={general} labels={{}} />
      <form onSubmit={submit} noValidate className="fr-mb-4w">
        <SelectField id="reversibility-target" label="Périmètre de l'export" value={target} onChange={setTarget} options={options}
          hint={orgWide ? "Une commune seule, ou l'intercommunalité avec toutes ses communes." : "Votre commune."} />
        <button className="fr-btn fr-icon-download-line fr-btn--icon-left" type="submit" disabled={busy || !target}>
          {busy ? "Demande en cours…" : "Demander l'export"}
        </button>
      </form>
      <p className="fr-sr-only" role="status" aria-live="polite" id="reversibility-status">
        {announce}
      </p>
      {announce ? (
        <div className="fr-mb-2w" aria-hidden="true">
          <Alert severity="info" small description={announce} />
        </div>
      ) : null}
      <h2 className="fr-h4">Exports demandés</h2>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les exports" /> : null}
      {q.data && !list.length ? <p>Aucun export demandé pour l'instant.</p> : null}
      {list.length ? (
        <DataTable
          caption="Exports de réversibilité"
          captionHidden
          headers={["Périmètre", "Demandé le", "Par", "État", "Progression", "Archive"]}
          rows={list.map((e) => [
            scopeLabel(e),
            formatDateTime(e.createdAt),
            e.requestedBy,
            <Badge key="s" as="span" small noIcon severity={statusLabels[e.status]?.severity ?? "info"}>
              {statusLabels[e.status]?.label ?? e.status}
            </Badge>,
            <Progress key="p" e={e} />,
            e.downloadUrl ? (
              <span key="a">
                <a className="fr-link fr-icon-download-line fr-link--icon-left" href={e.downloadUrl} download>
                  Télécharger<span className="fr-sr-only"> l'archive de {scopeLabel(e)}</span> ({formatBytes(e.archiveBytes ?? 0)})
                </a>
                {e.manifestSha256 ? (
                  <span className="fr-text--xs" style={{ display: "block", wordBreak: "break-all" }}>
                    Manifeste SHA-256 : <code>{e.manifestSha256}</code>
                  </span>
                ) : null}
              </span>
            ) : e.error ? (
              <span key="a" className="fr-error-text fr-mt-0">{e.error}</span>
            ) : (
              "—"
            ),
          ])}
        />
      ) : null}
    </>
  );
}
