// The DSI's cost pools: each pool's method and runs, the what-if (another amount or method,
// nothing written) beside the current shares, and a new allocation run.
import { useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { request } from "../../api/graphqlClient";
import { errorText, splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { ErrorSummary, SelectField, TextField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatCents, formatDate, formatDateTime } from "../../format/fr";
import type { AllocationMethodInput, SimulateAllocationQuery as SimulationResult } from "../../gql/graphql";
import { CatalogueSection } from "./AllocationSetup";
import { usePeopleNames } from "../directory/usePeopleNames";
import { CostPoolsQuery, CostRunsQuery, RunAllocationMutation, RunLinesQuery, SimulateAllocationQuery } from "./allocationQueries";

const runStatusLabels: Record<string, string> = { final: "en vigueur", superseded: "remplacée", invoiced: "facturée" };
const runKindLabels: Record<string, string> = { allocation: "répartition", correction: "correction" };
const keyLabels: Record<string, string> = { population: "population (INSEE)", backup_gb_month: "stockage de sauvegarde (Go-mois)" };

/** The stored method (JSON) in French. */
export function describeMethod(method: unknown): string {
  const m = (method ?? {}) as { kind?: string; key?: string; metric?: string; shares?: unknown[]; parts?: { key: string; weight: number }[] };
  switch (m.kind) {
    case "key":
      return `au prorata d'une clé : ${keyLabels[m.key ?? ""] ?? m.key}`;
    case "usage":
      return `à l'usage : ${keyLabels[m.metric ?? ""] ?? m.metric}`;
    case "percentages":
      return `pourcentages fixes (${m.shares?.length ?? 0} communes)`;
    case "mix":
      return `mixte : ${(m.parts ?? []).map((p) => `${keyLabels[p.key] ?? p.key} (poids ${p.weight})`).join(", ")}`;
    default:
      return "—";
  }
}

export function AllocationPage() {
  const ctx = useAuthenticated();
  const organisationId = ctx.organisations[0]?.id ?? null;
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(thisYear);
  const pools = useQuery(CostPoolsQuery, { organisationId, year });
  const [poolChoice, setPoolChoice] = useState("");
  const list = pools.data?.costPools ?? [];
  const pool = list.find((p) => p.id === poolChoice) ?? list[0];
  const services = new Map((pools.data?.costServices ?? []).map((s) => [s.id, s]));

  return (
    <>
      <PageHeading title="Répartition des coûts">
        Enveloppes de coûts des services partagés, leurs répartitions entre communes et la simulation d'une autre répartition.
      </PageHeading>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-3">
          <SelectField id="pools-year" label="Année" value={String(year)} onChange={(v) => { setYear(Number(v)); setPoolChoice(""); }}
            options={[thisYear + 1, thisYear, thisYear - 1, thisYear - 2].map((y) => ({ value: String(y), label: String(y) }))} />
        </div>
        {list.length ? (
          <div className="fr-col-12 fr-col-md-9">
            <SelectField id="pools-pool" label="Enveloppe de coûts" value={pool?.id ?? ""} onChange={setPoolChoice}
              options={list.map((p) => ({ value: p.id, label: `${p.label} — ${formatCents(p.amountCents)}` }))} />
          </div>
        ) : null}
      </div>
      {pools.error ? <QueryError error={pools.error} /> : null}
      {pools.loading && !pools.data ? <Loading what="les enveloppes de coûts" /> : null}
      {pools.data && !list.length ? <EmptyState>Aucune enveloppe de coûts en {year}.</EmptyState> : null}
      {list.length ? (
        <DataTable
          caption={`Enveloppes de coûts ${year}`}
          headers={["Enveloppe", "Service", "Période", "Montant", "Méthode"]}
          rowHeaders
          rows={list.map((p) => [
            p.label,
            services.get(p.serviceId)?.name ?? "—",
            `du ${formatDate(p.periodStart)} au ${formatDate(p.periodEnd)}`,
            <span className="console-nowrap">{formatCents(p.amountCents)}</span>,
            describeMethod(p.method),
          ])}
        />
      ) : null}
      {pool ? <PoolDetail key={pool.id} pool={pool} /> : null}
      {can(ctx.roles, "manageCosts") && organisationId ? <CatalogueSection organisationId={organisationId} year={year} onChanged={(created) => {
        pools.reload();
        // A pool just created is the one the DSI wants to allocate next.
        if (created) setPoolChoice(created);
      }} /> : null}
    </>
  );
}

type Pool = { id: string; label: string; amountCents: number; method: unknown };

function PoolDetail({ pool }: { pool: Pool }) {
  const ctx = useAuthenticated();
  const who = usePeopleNames();
  const runs = useQuery(CostRunsQuery, { poolId: pool.id });
  const [runMessage, setRunMessage] = useState<{ ok: boolean; text: string } | null>(null);
  // The shares in force: the newest allocation run that is not superseded.
  const inForce = runs.data?.costRuns.find((r) => r.kind === "allocation" && r.status !== "superseded");
  const lines = useQuery(RunLinesQuery, { runId: inForce?.id ?? "" }, { skip: !inForce });
  const current = new Map<string, number>();
  if (inForce) for (const l of lines.data?.costLines ?? []) current.set(l.tenantId, (current.get(l.tenantId) ?? 0) + l.amountCents);

  async function run() {
    setRunMessage(null);
    try {
      const r = await request(RunAllocationMutation, { poolId: pool.id });
      setRunMessage({ ok: true, text: `Répartition enregistrée : ${formatCents(r.runAllocation.totalCents)} répartis.` });
      runs.reload();
    } catch (e) {
      const text = errorText(e);
      setRunMessage(text ? { ok: false, text } : null);
    }
  }

  return (
    <section className="fr-mt-4w" aria-labelledby="pool-title">
      <h2 className="fr-h4" id="pool-title">{pool.label}</h2>
      <p>Montant {formatCents(pool.amountCents)}, réparti {describeMethod(pool.method)}.</p>
      <h3 className="fr-h5">Répartitions</h3>
      {runs.error ? <QueryError error={runs.error} /> : null}
      {runs.data && !runs.data.costRuns.length ? <EmptyState>Cette enveloppe n'a pas encore été répartie.</EmptyState> : null}
      {runs.data?.costRuns.length ? (
        <DataTable
          caption={`Répartitions de « ${pool.label} »`}
          captionHidden
          headers={["Date", "Type", "Statut", "Total", "Par"]}
          rows={runs.data.costRuns.map((r) => [
            formatDateTime(r.createdAt),
            runKindLabels[r.kind] ?? r.kind,
            <Badge as="span" small noIcon severity={r.status === "final" ? "success" : r.status === "invoiced" ? "info" : undefined}>
              {runStatusLabels[r.status] ?? r.status}
            </Badge>,
            formatCents(r.totalCents),
            who(r.createdBy),
          ])}
        />
      ) : null}
      {can(ctx.roles, "manageCosts") ? (
        <>
          <button type="button" className="fr-btn fr-btn--secondary" onClick={() => void run()}>
            Lancer la répartition de cette enveloppe
          </button>
          {runMessage ? <div className="fr-mt-2w"><Alert severity={runMessage.ok ? "success" : "error"} small description={runMessage.text} /></div> : null}
        </>
      ) : null}
      <WhatIf pool={pool} current={current} />
    </section>
  );
}

const whatIfLabels = { amountCents: "Montant simulé (€)", method: "Méthode simulée", key: "Clé ou mesure simulée" };

function WhatIf({ pool, current }: { pool: Pool; current: Map<string, number> }) {
  const [form, setForm] = useState({ amount: "", kind: "", key: "population" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [result, setResult] = useState<SimulationResult["simulateAllocation"] | null>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    let amountCents: number | null = null;
    if (form.amount.trim()) {
      const euros = Number(form.amount.replace(/\s/g, "").replace(",", "."));
      if (!Number.isFinite(euros) || euros < 0) local.amountCents = "Un montant en euros, positif ou nul.";
      else amountCents = Math.round(euros * 100);
    }
    if (form.kind && !form.key.trim()) local.key = "Indiquez la clé ou la mesure.";
    setErrors(local);
    setGeneral([]);
    if (Object.keys(local).length) return;
    const method: AllocationMethodInput | null =
      form.kind === "key" ? { kind: "key", key: form.key.trim() } : form.kind === "usage" ? { kind: "usage", metric: form.key.trim() } : null;
    try {
      const r = await request(SimulateAllocationQuery, { poolId: pool.id, amountCents, method });
      setResult(r.simulateAllocation);
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors({ ...s.fields, ...(s.fields.keys ? { key: s.fields.keys } : {}) });
      setGeneral(s.general);
      setResult(null);
    }
  }

  return (
    <section className="fr-mt-4w" aria-labelledby="what-if-title">
      <h3 className="fr-h5" id="what-if-title">Simulation (sans rien enregistrer)</h3>
      <ErrorSummary errors={errors} general={general} labels={whatIfLabels} />
      <form onSubmit={submit} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-4">
            <TextField id="field-amountCents" label={whatIfLabels.amountCents} inputMode="numeric" value={form.amount} onChange={set("amount")} error={errors.amountCents}
              hint={`Vide : le montant du pool (${formatCents(pool.amountCents)}).`} />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <SelectField id="field-method" label={whatIfLabels.method} value={form.kind} onChange={set("kind")} error={errors.method}
              options={[
                { value: "", label: "Celle de l'enveloppe" },
                { value: "key", label: "Au prorata d'une clé" },
                { value: "usage", label: "À l'usage mesuré" },
              ]} />
          </div>
          {form.kind ? (
            <div className="fr-col-12 fr-col-md-4">
              <TextField id="field-key" label={whatIfLabels.key} value={form.key} onChange={set("key")} error={errors.key}
                hint="population, agents, postes, tickets, backup_gb_month…" />
            </div>
          ) : null}
        </div>
        <button type="submit" className="fr-btn">Simuler</button>
      </form>
      {result ? (
        <div className="fr-mt-3w">
          <p role="status" aria-live="polite">
            Simulation : {formatCents(result.amountCents)} répartis {result.method || describeMethod(pool.method)}.
          </p>
          <DataTable
            caption="Simulation : quote-part de chaque commune"
            headers={["Commune", "Actuel", "Simulé", "Écart"]}
            rowHeaders
            rows={result.lines.map((l) => {
              const now = current.get(l.tenantId);
              return [
                l.tenantName,
                formatCents(now ?? null),
                formatCents(l.amountCents),
                now === undefined ? "—" : `${l.amountCents - now > 0 ? "+" : ""}${formatCents(l.amountCents - now)}`,
              ];
            })}
          />
        </div>
      ) : null}
    </section>
  );
}
