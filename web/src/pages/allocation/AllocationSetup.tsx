// The DSI's catalogue (services and the communes subscribed to them) and a new cost pool.
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { errorText, splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { DataTable } from "../../components/DataTable";
import { ErrorSummary, SelectField, TextField } from "../../components/formFields";
import { QueryError } from "../../components/QueryStatus";
import { plural } from "../../format/fr";
import { BudgetAccountCell } from "./BudgetAccountCell";
import { CostCatalogueQuery, CreateCostPoolMutation, CreateCostServiceMutation, SubscribeToServiceMutation } from "./allocationQueries";

function useFormState<T extends Record<string, string>>(initial: T) {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const set = (k: keyof T) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const fail = (fields: Record<string, string>, g: string[] = []) => {
    setErrors(fields);
    setGeneral(g);
    setDone(null);
    requestAnimationFrame(() => summary.current?.focus());
  };
  const succeed = (text: string) => {
    setErrors({});
    setGeneral([]);
    setDone(text);
  };
  return { form, setForm, set, errors, general, done, summary, fail, succeed };
}

export function CatalogueSection({ organisationId, year, onChanged }: { organisationId: string; year: number; onChanged: (createdPoolId?: string) => void }) {
  const ctx = useAuthenticated();
  const catalogue = useQuery(CostCatalogueQuery, {});
  const communes = ctx.tenants.filter((t) => t.kind !== "organisation" && t.organisationId === organisationId);
  const [subscribeMessage, setSubscribeMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const labels = { code: "Code du service", name: "Nom du service", unit: "Unité" };
  const s = useFormState({ code: "", name: "", unit: "" });
  const services = (catalogue.data?.costServices ?? []).filter((x) => x.organisationId === organisationId);
  const subscriptions = catalogue.data?.costSubscriptions ?? [];

  async function addService(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!/^[a-z0-9_]{1,40}$/.test(s.form.code.trim())) local.code = "1 à 40 caractères parmi a-z, 0-9 et _.";
    if (!s.form.name.trim()) local.name = "Nommez le service.";
    if (!s.form.unit.trim()) local.unit = "Indiquez l'unité (poste, Go-mois, ticket…).";
    if (Object.keys(local).length) return s.fail(local);
    try {
      await request(CreateCostServiceMutation, { organisationId, code: s.form.code.trim(), name: s.form.name.trim(), unit: s.form.unit.trim() });
      s.succeed(`Service « ${s.form.name.trim()} » ajouté au catalogue.`);
      s.setForm({ code: "", name: "", unit: "" });
      catalogue.reload();
      onChanged();
    } catch (err) {
      const r = splitFieldErrors(err);
      s.fail(r.fields, r.general);
    }
  }

  async function subscribeAll(serviceId: string, name: string) {
    setSubscribeMessage(null);
    const already = new Set(subscriptions.filter((x) => x.serviceId === serviceId).map((x) => x.tenantId));
    const missing = communes.filter((t) => !already.has(t.id));
    try {
      for (const t of missing) await request(SubscribeToServiceMutation, { tenantId: t.id, serviceId, startsOn: `${year}-01-01` });
      setSubscribeMessage({ ok: true, text: `${plural(missing.length, "commune abonnée", "communes abonnées")} à « ${name} » à partir du 1er janvier ${year}.` });
    } catch (err) {
      const text = errorText(err);
      setSubscribeMessage(text ? { ok: false, text } : null);
    }
    catalogue.reload();
  }

  return (
    <section className="fr-mt-6w" aria-labelledby="catalogue-title">
      <h2 className="fr-h4" id="catalogue-title">Catalogue des services</h2>
      {catalogue.error ? <QueryError error={catalogue.error} /> : null}
      {services.length ? (
        <DataTable
          caption="Services du catalogue"
          captionHidden
          headers={["Service", "Code", "Unité", "Compte budgétaire (titres)", "Communes abonnées", "Action"]}
          rows={services.map((x) => {
            const n = subscriptions.filter((y) => y.serviceId === x.id).length;
            return [
              x.name,
              x.code,
              x.unit,
              <BudgetAccountCell key={x.id} serviceId={x.id} name={x.name} value={x.budgetAccount} onSaved={catalogue.reload} />,
              `${n} / ${communes.length}`,
              n < communes.length ? (
                <button type="button" className="fr-btn fr-btn--sm fr-btn--secondary" onClick={() => void subscribeAll(x.id, x.name)}>
                  Abonner toutes les communes<span className="fr-sr-only"> à « {x.name} »</span>
                </button>
              ) : (
                "—"
              ),
            ];
          })}
        />
      ) : catalogue.data ? (
        <p>Aucun service au catalogue : ajoutez le premier.</p>
      ) : null}
      {subscribeMessage ? <div className="fr-mb-2w"><Alert severity={subscribeMessage.ok ? "success" : "error"} small description={subscribeMessage.text} /></div> : null}
      <h3 className="fr-h5">Ajouter un service</h3>
      <ErrorSummary errors={s.errors} general={s.general} labels={labels} summaryRef={s.summary} />
      {s.done ? <div><Alert severity="success" small description={s.done} className="fr-mb-2w" /></div> : null}
      <form onSubmit={addService} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-3">
            <TextField id="field-code" label={labels.code} required value={s.form.code} onChange={s.set("code")} error={s.errors.code} hint="a-z, 0-9 et _" />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-name" label={labels.name} required value={s.form.name} onChange={s.set("name")} error={s.errors.name} />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <TextField id="field-unit" label={labels.unit} required value={s.form.unit} onChange={s.set("unit")} error={s.errors.unit} />
          </div>
        </div>
        <button type="submit" className="fr-btn fr-btn--secondary">Ajouter le service</button>
      </form>
      <NewPoolForm organisationId={organisationId} year={year} services={services} onCreated={onChanged} />
    </section>
  );
}

function NewPoolForm({ organisationId, year, services, onCreated }: { organisationId: string; year: number; services: { id: string; name: string }[]; onCreated: (poolId: string) => void }) {
  const labels = { serviceId: "Service", label: "Libellé de l'enveloppe", periodStart: "Début", periodEnd: "Fin (incluse)", "pool-amount": "Montant (€)", "pool-method": "Méthode de répartition", "pool-key": "Clé ou mesure" };
  // The API's field names, as this form's field ids (the what-if above has its own).
  const ids: Record<string, string> = { amountCents: "pool-amount", method: "pool-method", key: "pool-key", keys: "pool-key" };
  const renamed = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [ids[k] ?? k, v]));
  const p = useFormState({ serviceId: "", label: "", periodStart: `${year}-01-01`, periodEnd: `${year}-12-31`, amount: "", kind: "key", key: "population" });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!p.form.serviceId) local.serviceId = "Choisissez le service.";
    if (!p.form.label.trim()) local.label = "Donnez un libellé à l'enveloppe.";
    if (!p.form.periodStart) local.periodStart = "Indiquez le début.";
    if (!p.form.periodEnd) local.periodEnd = "Indiquez la fin.";
    else if (p.form.periodEnd < p.form.periodStart) local.periodEnd = "La fin précède le début.";
    const euros = Number(p.form.amount.replace(/\s/g, "").replace(",", "."));
    if (!p.form.amount.trim() || !Number.isFinite(euros) || euros < 0) local.amountCents = "Un montant en euros, positif ou nul.";
    if (!p.form.key.trim()) local.key = "Indiquez la clé ou la mesure.";
    if (Object.keys(local).length) return p.fail(renamed(local));
    try {
      const r = await request(CreateCostPoolMutation, {
        organisationId,
        input: {
          serviceId: p.form.serviceId,
          label: p.form.label.trim(),
          periodStart: p.form.periodStart,
          periodEnd: p.form.periodEnd,
          amountCents: Math.round(euros * 100),
          method: p.form.kind === "usage" ? { kind: "usage", metric: p.form.key.trim() } : { kind: "key", key: p.form.key.trim() },
        },
      });
      p.succeed(`Enveloppe « ${r.createCostPool.label} » créée.`);
      onCreated(r.createCostPool.id);
    } catch (err) {
      const r = splitFieldErrors(err);
      p.fail(renamed(r.fields), r.general);
    }
  }

  return (
    <>
      <h3 className="fr-h5 fr-mt-4w">Nouvelle enveloppe de coûts</h3>
      <ErrorSummary errors={p.errors} general={p.general} labels={labels} summaryRef={p.summary} />
      {p.done ? <div><Alert severity="success" small description={p.done} className="fr-mb-2w" /></div> : null}
      <form onSubmit={submit} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="field-serviceId" label={labels.serviceId} required value={p.form.serviceId} onChange={p.set("serviceId")} error={p.errors.serviceId}
              placeholder="Choisir un service" options={services.map((x) => ({ value: x.id, label: x.name }))} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-label" label={labels.label} required value={p.form.label} onChange={p.set("label")} error={p.errors.label} />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <TextField id="field-periodStart" type="date" label={labels.periodStart} required value={p.form.periodStart} onChange={p.set("periodStart")} error={p.errors.periodStart} />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <TextField id="field-periodEnd" type="date" label={labels.periodEnd} required value={p.form.periodEnd} onChange={p.set("periodEnd")} error={p.errors.periodEnd} hint="Un an au plus." />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-pool-amount" label={labels["pool-amount"]} required inputMode="numeric" value={p.form.amount} onChange={p.set("amount")} error={p.errors["pool-amount"]} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="field-pool-method" label={labels["pool-method"]} value={p.form.kind} onChange={p.set("kind")} error={p.errors["pool-method"]}
              options={[{ value: "key", label: "Au prorata d'une clé" }, { value: "usage", label: "À l'usage mesuré" }]} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-pool-key" label={labels["pool-key"]} value={p.form.key} onChange={p.set("key")} error={p.errors["pool-key"]} hint="population, agents, postes, tickets, backup_gb_month…" />
          </div>
        </div>
        <button type="submit" className="fr-btn">Créer l'enveloppe</button>
      </form>
    </>
  );
}
