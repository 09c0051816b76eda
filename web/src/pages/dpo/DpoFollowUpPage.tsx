// The shared DPO's follow-up: the DPIA queue (activities whose screening requires an impact
// assessment that is not completed yet), recording a DPIA, and the overdue rights requests of
// every commune.
import { useRef, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAllPages } from "../../api/useAllPages";
import { PAGE_SIZE, Pagination, ResultCount, useListParams } from "../../components/ListPager";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { ErrorSummary, SelectField, TextAreaField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatDate, formatDaysLeft } from "../../format/fr";
import { DpiaQueueQuery, OverdueRequestsQuery, RecordDpiaMutation } from "./dpoQueries";

const DONE = new Set(["completed", "validated"]);

export function DpoFollowUpPage() {
  const ctx = useAuthenticated();
  // The whole queue (filtered here on the DPIA's state), and the overdue requests page by page.
  const queue = useAllPages(DpiaQueueQuery, { tenantIds: ctx.tenantIds }, (r) => r.activities);
  const pages = useListParams(PAGE_SIZE, "retards");
  const overdue = useQuery(OverdueRequestsQuery, { tenantIds: ctx.tenantIds, first: pages.first, offset: pages.offset });
  const waiting = (queue.items ?? []).filter((a) => !a.dpia || !DONE.has(a.dpia.status.code));
  const requests = overdue.data?.rightsRequests.items ?? [];
  const overdueTotal = overdue.data?.rightsRequests.totalCount;
  const oneCommune = !!ctx.tenantId;
  return (
    <>
      <PageHeading title="Suivi du DPO">
        Analyses d'impact à mener et demandes de droits en retard {ctx.currentTenant ? `de ${ctx.currentTenant.name}` : "de toutes les communes"}.
      </PageHeading>

      <h2 className="fr-h4">Analyses d'impact (AIPD) à mener</h2>
      <p className="fr-text--sm">
        Traitements dont le criblage exige une AIPD (deux critères ou plus, art. 35) et dont l'analyse n'est pas réalisée.
      </p>
      {queue.error ? <QueryError error={queue.error} /> : null}
      {queue.loading && !queue.data ? <Loading what="la file des AIPD" /> : null}
      <p role="status" aria-live="polite" className="fr-text--sm">
        {queue.data ? `${waiting.length} AIPD à mener.` : ""}
      </p>
      {queue.data && !waiting.length ? <EmptyState>Aucune AIPD en attente.</EmptyState> : null}
      {waiting.length ? (
        <DataTable
          caption="File des analyses d'impact"
          captionHidden
          headers={["Traitement", ...(oneCommune ? [] : ["Commune"]), "Critères", "Statut du traitement", "AIPD"]}
          rows={waiting.map((a) => [
            <Link to={`/registre/${a.id}`}>{a.name}</Link>,
            ...(oneCommune ? [] : [ctx.tenantName(a.tenantId)]),
            a.dpiaCriteria.map((c) => c.label).join(" ; ") || "—",
            a.status.label,
            a.dpia ? (
              <Badge as="span" small severity="info">{a.dpia.status.label}</Badge>
            ) : (
              <Badge as="span" small severity="warning">non ouverte</Badge>
            ),
          ])}
        />
      ) : null}
      {waiting.length && can(ctx.roles, "editGdpr") && queue.data ? (
        <DpiaForm activities={waiting} statuses={queue.data.gdprVocabulary.dpiaStatuses} canValidate={can(ctx.roles, "checkGdpr")} onDone={queue.reload} />
      ) : null}

      <h2 className="fr-h4 fr-mt-6w">Demandes de droits en retard</h2>
      {overdue.error ? <QueryError error={overdue.error} /> : null}
      {overdue.loading && !overdue.data ? <Loading what="les demandes en retard" /> : null}
      <ResultCount total={overdueTotal} list={pages} loading={overdue.loading} />
      {overdue.data && !requests.length ? <EmptyState>Aucune demande en retard.</EmptyState> : null}
      {requests.length ? (
        <DataTable
          caption="Demandes de droits en retard"
          captionHidden
          headers={[...(oneCommune ? [] : ["Commune"]), "Demandeur", "Droit", "Reçue le", "Échéance", "Retard", "Statut"]}
          rows={requests.map((r) => [
            ...(oneCommune ? [] : [ctx.tenantName(r.tenantId)]),
            r.requester,
            r.kind.label,
            formatDate(r.receivedOn),
            formatDate(r.effectiveDueOn),
            <Badge as="span" small severity="error">{r.daysLeft === null ? "en retard" : formatDaysLeft(r.daysLeft)}</Badge>,
            r.status.label,
          ])}
        />
      ) : null}
      <Pagination total={overdueTotal} list={pages} label="Pages des demandes en retard" />
      <p className="fr-mt-2w">
        <Link to="/demandes">Toutes les demandes</Link> · <Link to="/violations">Violations</Link> · <Link to="/maturite">Maturité</Link>
      </p>
    </>
  );
}

const labels = { activityId: "Traitement", status: "Statut de l'AIPD", conclusion: "Conclusion" };

function DpiaForm({
  activities,
  statuses,
  canValidate,
  onDone,
}: {
  activities: { id: string; name: string; tenantId: string; dpia: { status: { code: string }; conclusion: string } | null }[];
  statuses: { code: string; label: string }[];
  canValidate: boolean;
  onDone: () => void;
}) {
  const ctx = useAuthenticated();
  const [form, setForm] = useState({ activityId: "", status: "in_progress", conclusion: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const offered = statuses.filter((s) => canValidate || s.code !== "validated");

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!form.activityId) local.activityId = "Choisissez le traitement.";
    setErrors(local);
    setGeneral([]);
    setDone(null);
    if (Object.keys(local).length) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    try {
      const r = await request(RecordDpiaMutation, form);
      const name = activities.find((a) => a.id === form.activityId)?.name ?? "";
      setDone(`AIPD de « ${name} » : ${r.recordDpia.status.label}${r.recordDpia.completedOn ? ` le ${formatDate(r.recordDpia.completedOn)}` : ""}.`);
      setForm({ activityId: "", status: "in_progress", conclusion: "" });
      onDone();
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
      requestAnimationFrame(() => summary.current?.focus());
    }
  }

  return (
    <section className="fr-mt-4w" aria-labelledby="dpia-form-title">
      <h3 id="dpia-form-title" className="fr-h5">Enregistrer l'avancement d'une AIPD</h3>
      <ErrorSummary errors={errors} general={general} labels={labels} summaryRef={summary} />
      {done ? <div><Alert severity="success" small description={done} className="fr-mb-2w" /></div> : null}
      <form onSubmit={submit} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="field-activityId" label={labels.activityId} required value={form.activityId} onChange={set("activityId")} error={errors.activityId}
              placeholder="Choisir un traitement"
              options={activities.map((a) => ({ value: a.id, label: ctx.tenantId ? a.name : `${a.name} (${ctx.tenantName(a.tenantId)})` }))} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="field-status" label={labels.status} value={form.status} onChange={set("status")} error={errors.status}
              options={offered.map((s) => ({ value: s.code, label: s.label }))} />
          </div>
          <div className="fr-col-12">
            <TextAreaField id="field-conclusion" label={labels.conclusion} value={form.conclusion} onChange={set("conclusion")} error={errors.conclusion}
              hint="Obligatoire pour une AIPD réalisée ou validée : risques résiduels, mesures retenues." />
          </div>
        </div>
        <button className="fr-btn" type="submit">Enregistrer l'AIPD</button>
      </form>
    </section>
  );
}
