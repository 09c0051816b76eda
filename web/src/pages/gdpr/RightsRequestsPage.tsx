// Rights requests (access, erasure...) with their legal month and the days left, soonest
// deadline first; and a form to record a new one.
import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { CheckboxField, ErrorSummary, SelectField, TextAreaField, TextField } from "../../components/formFields";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { ResultCount, Pagination, useListParams, useSort } from "../../components/ListPager";
import { formatDate, formatDaysLeft } from "../../format/fr";
import { CreateRightsRequestMutation, RightsRequestsQuery } from "./gdprQueries";
import { ListExportButtons } from "../../components/listExport";

/** Sort keys in the address, and the API's columns. */
const SORTS = { echeance: "DUE", reception: "RECEIVED_ON", demandeur: "REQUESTER", droit: "KIND", statut: "STATUS" } as const;
type SortKey = keyof typeof SORTS;

export function RightsRequestsPage() {
  const ctx = useAuthenticated();
  const list = useListParams();
  const sort = useSort(list, "echeance", Object.keys(SORTS));
  // Open requests only unless the address says otherwise (?ouvertes=0).
  const openOnly = list.get("ouvertes") !== "0";
  const overdueOnly = list.get("retard") === "1";
  const search = list.get("q");
  const [searchText, setSearchText] = useState(search);
  const q = useQuery(RightsRequestsQuery, {
    tenantIds: ctx.tenantIds,
    openOnly,
    overdueOnly,
    search: search || null,
    orderBy: SORTS[sort.by as SortKey],
    descending: sort.descending,
    first: list.first,
    offset: list.offset,
  });
  const rows = q.data?.rightsRequests.items ?? [];
  const total = q.data?.rightsRequests.totalCount;
  return (
    <>
      <PageHeading title="Demandes d'exercice des droits">
        Délai d'un mois à compter de la réception (règlement 1182/71), reporté au jour ouvré suivant du calendrier de la commune.
      </PageHeading>
      <form
        role="search"
        aria-label="Rechercher une demande"
        className="fr-mb-2w"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          list.update({ q: searchText.trim() });
        }}
      >
        <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="requests-search" label="Rechercher" hint="Demandeur, contact ou détails (accents et majuscules ignorés)"
              value={searchText} onChange={setSearchText} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <ul className="fr-btns-group fr-btns-group--inline-sm">
              <li><button className="fr-btn fr-btn--secondary" type="submit">Rechercher</button></li>
              {search ? (
                <li><button className="fr-btn fr-btn--tertiary" type="button" onClick={() => { setSearchText(""); list.update({ q: null }); }}>Effacer la recherche</button></li>
              ) : null}
            </ul>
          </div>
        </div>
      </form>
      <fieldset className="fr-fieldset" aria-labelledby="requests-filter-legend">
        <legend id="requests-filter-legend" className="fr-fieldset__legend fr-text--regular">Afficher</legend>
        <div className="fr-fieldset__element fr-fieldset__element--inline">
          <CheckboxField id="requests-open" label="Demandes ouvertes seulement" checked={openOnly}
            onChange={(v) => list.update({ ouvertes: v ? null : "0" })} />
        </div>
        <div className="fr-fieldset__element fr-fieldset__element--inline">
          <CheckboxField id="requests-overdue" label="En retard seulement" checked={overdueOnly}
            onChange={(v) => list.update({ retard: v ? "1" : null })} />
        </div>
      </fieldset>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les demandes" /> : null}
      <ListExportButtons list="requests" what="les demandes de droits"
        filters={{ tenant: ctx.tenantIds ?? [], openOnly, overdueOnly, search: search || null, orderBy: SORTS[sort.by as SortKey], descending: sort.descending }} />
      <ResultCount total={total} list={list} loading={q.loading} />
      {q.data && !rows.length ? <EmptyState>Aucune demande à afficher.</EmptyState> : null}
      {rows.length ? (
        <DataTable
          caption="Demandes d'exercice des droits"
          captionHidden
          sort={{ keys: ["demandeur", "droit", ...(ctx.tenantId ? [] : [null]), "reception", "echeance", null, "statut"], state: sort }}
          headers={["Demandeur", "Droit", ...(ctx.tenantId ? [] : ["Commune"]), "Reçue le", "Échéance", "Délai", "Statut"]}
          rows={rows.map((r) => [
            <Link key="requester" to={`/demandes/${r.id}`}>{r.requester}</Link>,
            r.kind.label,
            ...(ctx.tenantId ? [] : [ctx.tenantName(r.tenantId)]),
            formatDate(r.receivedOn),
            <>
              {formatDate(r.effectiveDueOn)}
              {r.extendedDueOn ? <span className="fr-hint-text">prolongée (art. 12.3)</span> : null}
            </>,
            r.daysLeft === null ? (
              r.answeredOn ? `répondue le ${formatDate(r.answeredOn)}` : "—"
            ) : (
              <Badge as="span" small severity={r.overdue ? "error" : r.daysLeft <= 7 ? "warning" : "info"}>
                {formatDaysLeft(r.daysLeft)}
              </Badge>
            ),
            r.status.label,
          ])}
        />
      ) : null}
      <Pagination total={total} list={list} label="Pages des demandes" />
      {can(ctx.roles, "editGdpr") && q.data ? (
        <NewRequestForm kinds={q.data.gdprVocabulary.requestKinds} onCreated={q.reload} />
      ) : q.data ? (
        <p className="fr-mt-4w">Lecture seule : votre rôle ne permet pas d'enregistrer ni de traiter une demande.</p>
      ) : null}
    </>
  );
}

const labels = { tenantId: "Commune", kind: "Droit exercé", receivedOn: "Reçue le", requester: "Demandeur", contact: "Contact", details: "Détails" };

function NewRequestForm({ kinds, onCreated }: { kinds: { code: string; label: string }[]; onCreated: () => void }) {
  const ctx = useAuthenticated();
  const today = new Date().toISOString().slice(0, 10);
  const [form, setForm] = useState({ tenantId: ctx.tenantId ?? "", kind: kinds[0]?.code ?? "", receivedOn: today, requester: "", contact: "", details: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [done, setDone] = useState<{ text: string; id: string } | null>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });

  async function submit(e: FormEvent) {
    e.preventDefault();
    // A success from an earlier submission must not stand beside this one's errors.
    setDone(null);
    const local: Record<string, string> = {};
    const tenantId = ctx.tenantId ?? form.tenantId;
    if (!tenantId) local.tenantId = "Choisissez la commune.";
    if (!form.requester.trim()) local.requester = "Qui a fait la demande ?";
    if (!form.receivedOn) local.receivedOn = "Indiquez la date de réception.";
    setErrors(local);
    setGeneral([]);
    if (Object.keys(local).length) return;
    try {
      const r = await request(CreateRightsRequestMutation, { input: { ...form, tenantId } });
      setDone({ text: `Demande enregistrée : réponse due le ${formatDate(r.createRightsRequest.effectiveDueOn)}.`, id: r.createRightsRequest.id });
      setForm({ ...form, requester: "", contact: "", details: "" });
      onCreated();
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
    }
  }

  return (
    <section className="fr-mt-6w" aria-labelledby="new-request-title">
      <h2 id="new-request-title" className="fr-h4">Enregistrer une demande</h2>
      <ErrorSummary errors={errors} general={general} labels={labels} />
      {done ? (
        <div>
          <Alert severity="success" small className="fr-mb-2w"
            description={<>{done.text} <Link to={`/demandes/${done.id}`}>Voir la demande</Link></>} />
        </div>
      ) : null}
      <form onSubmit={submit} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          {!ctx.tenantId ? (
            <div className="fr-col-12 fr-col-md-6">
              <SelectField id="field-tenantId" label={labels.tenantId} required value={form.tenantId} onChange={set("tenantId")} error={errors.tenantId}
                placeholder="Choisir une commune" options={ctx.tenants.map((t) => ({ value: t.id, label: t.name }))} />
            </div>
          ) : null}
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="field-kind" label={labels.kind} value={form.kind} onChange={set("kind")} error={errors.kind}
              options={kinds.map((k) => ({ value: k.code, label: k.label }))} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-receivedOn" type="date" label={labels.receivedOn} required value={form.receivedOn} onChange={set("receivedOn")} error={errors.receivedOn} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-requester" label={labels.requester} required value={form.requester} onChange={set("requester")} error={errors.requester} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-contact" label={labels.contact} value={form.contact} onChange={set("contact")} error={errors.contact} />
          </div>
          <div className="fr-col-12">
            <TextAreaField id="field-details" label={labels.details} value={form.details} onChange={set("details")} error={errors.details} />
          </div>
        </div>
        <button className="fr-btn" type="submit">Enregistrer la demande</button>
      </form>
    </section>
  );
}
