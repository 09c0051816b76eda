// One contract: what it is (amounts, lots, renewals, amendments), its edit form for the
// commune's administrator or agent, and the amendment form once it is notified. Also the
// form of a new contract (/contrats/nouveau).
import { useRef, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { DataTable } from "../../components/DataTable";
import { ErrorSummary, SelectField, TextField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatCents, formatDate, parseEuros, plural, today } from "../../format/fr";
import type { ContractDetailFragment } from "../../gql/graphql";
import { ContractFields, contractLabels } from "./ContractForm";
import { draftOf, emptyDraft, toInput, type ContractDraft } from "./contractDraft";
import { categoryLabels, contractStatusLabels } from "./procurementLabels";
import {
  AmendContractMutation,
  ContractDetailQuery,
  ContractSuppliersQuery,
  CreateContractMutation,
  UpdateContractMutation,
} from "./procurementQueries";

export function NewContractPage() {
  const ctx = useAuthenticated();
  const navigate = useNavigate();
  const suppliers = useQuery(ContractSuppliersQuery, {});
  const [draft, setDraft] = useState<ContractDraft>(() => emptyDraft(ctx.tenantId ?? "", ctx.currentTenant?.inseeCode ?? ""));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const summary = useRef<HTMLDivElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const { input, errors: local } = toInput(draft, null);
    setErrors(local);
    setGeneral([]);
    if (!input) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    try {
      const r = await request(CreateContractMutation, { tenantId: draft.tenantId, input });
      navigate(`/contrats/${r.createContract.id}`, { state: { notice: `Le contrat « ${r.createContract.reference} » a été enregistré.` } });
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
      requestAnimationFrame(() => summary.current?.focus());
    }
  }

  if (!can(ctx.roles, "editProcurement")) {
    return (
      <>
        <PageHeading title="Nouveau contrat" />
        <Alert severity="info" small description="Votre rôle permet de consulter les contrats, pas d'en enregistrer." />
      </>
    );
  }
  return (
    <>
      <PageHeading title="Nouveau contrat">
        <Link to="/contrats">Retour aux contrats</Link>
      </PageHeading>
      <ErrorSummary errors={errors} general={general} labels={contractLabels} summaryRef={summary} />
      <form onSubmit={submit} noValidate>
        <ContractFields draft={draft} setDraft={setDraft} errors={errors} notified={false}
          suppliers={suppliers.data?.suppliers ?? []} onSupplierAdded={suppliers.reload} />
        <button className="fr-btn" type="submit">Enregistrer le contrat</button>
      </form>
    </>
  );
}

export function ContractPage() {
  const { id = "" } = useParams();
  const ctx = useAuthenticated();
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice;
  const q = useQuery(ContractDetailQuery, { id });
  const [saved, setSaved] = useState<string | null>(null);
  const c = q.data?.contract;
  const suppliers = q.data?.suppliers ?? [];
  const names = new Map(suppliers.map((s) => [s.id, s.name]));
  const holders = (ids: string[]) => ids.map((i) => names.get(i) ?? "—").join(", ") || "—";
  const editable = can(ctx.roles, "editProcurement");

  if (q.error) return <><PageHeading title="Contrat" /><QueryError error={q.error} /></>;
  if (!c) return <Loading what="le contrat" />;
  return (
    <>
      <PageHeading title={`Contrat ${c.reference}`}>
        {c.object} · {ctx.tenantName(c.tenantId)} · <Link to="/contrats">Retour aux contrats</Link>
      </PageHeading>
      {(saved ?? notice) ? <Alert severity="success" small description={saved ?? notice ?? ""} className="fr-mb-3w" /> : null}
      <Badge as="span" noIcon severity={c.status === "active" ? "success" : c.status === "expired" ? undefined : "info"}>
        {contractStatusLabels[c.status] ?? c.status}
      </Badge>
      <dl className="fr-mt-2w">
        <dt className="fr-text--bold">Catégorie, procédure, CPV</dt>
        <dd>{categoryLabels[c.category] ?? c.category} · {c.procedure} · {c.cpv.codeWithCheckDigit} {c.cpv.label}</dd>
        <dt className="fr-text--bold">Montant</dt>
        <dd>
          {c.awardedCents === null ? `${formatCents(c.estimatedCents)} estimé` : formatCents(c.awardedCents)}
          {c.initialAwardedCents !== null && c.awardedCents !== c.initialAwardedCents ? ` (initial ${formatCents(c.initialAwardedCents)})` : ""}
        </dd>
        <dt className="fr-text--bold">Durée</dt>
        <dd>
          {c.durationMonths} mois{c.renewals ? `, ${plural(c.renewals, "reconduction")} de ${c.renewalMonths} mois` : ""}
          {c.notifiedOn ? ` · notifié le ${formatDate(c.notifiedOn)}` : " · non notifié"}
          {c.endOn ? ` · fin le ${formatDate(c.endOn)}` : ""}
        </dd>
        <dt className="fr-text--bold">Titulaires</dt>
        <dd>{holders(c.supplierIds)}</dd>
      </dl>
      {c.lots.length ? (
        <DataTable
          caption={`Lots du contrat ${c.reference}`}
          headers={["Lot", "Objet", "CPV", "Estimé", "Attribué", "Titulaires"]}
          rows={c.lots.map((l) => [
            String(l.number),
            l.object,
            `${l.cpv.code} ${l.cpv.label}`,
            <span className="console-nowrap">{formatCents(l.estimatedCents)}</span>,
            <span className="console-nowrap">{l.awardedCents === null ? "—" : formatCents(l.awardedCents)}</span>,
            holders(l.contractors),
          ])}
        />
      ) : null}
      {c.amendments.length ? (
        <DataTable
          caption={`Avenants du contrat ${c.reference}`}
          headers={["Signé le", "Objet", "Lot", "Montant", "Durée"]}
          rows={c.amendments.map((a) => [
            formatDate(a.signedOn),
            a.object || "—",
            a.lot === null ? "—" : String(a.lot),
            a.awardedCents === null ? "—" : formatCents(a.awardedCents),
            a.durationMonths === null ? "—" : `${a.durationMonths} mois`,
          ])}
        />
      ) : null}
      {editable ? (
        <>
          <EditContract key={c.version} contract={c} suppliers={suppliers} onSaved={(m) => { setSaved(m); q.reload(); }} reloadSuppliers={q.reload} />
          {c.notifiedOn ? <AmendContract key={`a${c.version}`} contract={c} onSaved={(m) => { setSaved(m); q.reload(); }} /> : null}
        </>
      ) : null}
    </>
  );
}

function EditContract({ contract, suppliers, onSaved, reloadSuppliers }: {
  contract: ContractDetailFragment;
  suppliers: { id: string; name: string; identifier: string }[];
  onSaved: (message: string) => void;
  reloadSuppliers: () => void;
}) {
  const [draft, setDraft] = useState<ContractDraft>(() => draftOf(contract));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const summary = useRef<HTMLDivElement>(null);
  const notified = contract.notifiedOn !== null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const { input, errors: local } = toInput(draft, contract);
    setErrors(local);
    setGeneral([]);
    if (!input) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    try {
      const r = await request(UpdateContractMutation, { id: contract.id, version: contract.version, input });
      onSaved(`Contrat enregistré (version ${r.updateContract.version}).`);
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
      requestAnimationFrame(() => summary.current?.focus());
    }
  }

  return (
    <section className="fr-mt-6w" aria-labelledby="edit-contract-title">
      <h2 id="edit-contract-title" className="fr-h4">Modifier le contrat</h2>
      {notified ? (
        <p className="fr-text--sm">
          Le marché est notifié : son montant, sa durée, ses titulaires et les montants de ses lots se modifient par un avenant (ci-dessous).
        </p>
      ) : null}
      <ErrorSummary errors={errors} general={general} labels={contractLabels} summaryRef={summary} />
      <form onSubmit={submit} noValidate>
        <ContractFields draft={draft} setDraft={setDraft} errors={errors} notified={notified} suppliers={suppliers} onSupplierAdded={reloadSuppliers} />
        <button className="fr-btn" type="submit">Enregistrer les modifications</button>
      </form>
    </section>
  );
}

const amendmentLabels: Record<string, string> = {
  "amend-signedOn": "Signé le",
  "amend-object": "Objet de l'avenant",
  "amend-lot": "Lot modifié",
  "amend-awardedCents": "Nouveau montant attribué (€ HT)",
  "amend-durationMonths": "Nouvelle durée ferme (mois)",
  "amend-shares": "Parts du groupement",
  "amend-supplierIds": "Titulaires",
};

function AmendContract({ contract, onSaved }: { contract: ContractDetailFragment; onSaved: (message: string) => void }) {
  const [form, setForm] = useState({ signedOn: today(), object: "", lot: "", amount: "", duration: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const summary = useRef<HTMLDivElement>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    const amount = form.amount.trim() ? parseEuros(form.amount) : null;
    if (form.amount.trim() && amount === null) local["amend-awardedCents"] = "Montant en euros hors taxes, par exemple 25 000,00.";
    const duration = form.duration.trim() ? Number(form.duration) : null;
    if (duration !== null && !Number.isInteger(duration)) local["amend-durationMonths"] = "Une durée en mois, par exemple 24.";
    if (!form.signedOn) local["amend-signedOn"] = "Indiquez la date de signature.";
    if (!form.object.trim()) local["amend-object"] = "Indiquez l'objet de l'avenant.";
    setErrors(local);
    setGeneral([]);
    if (Object.keys(local).length) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    try {
      await request(AmendContractMutation, {
        contractId: contract.id,
        input: {
          signedOn: form.signedOn,
          object: form.object.trim(),
          awardedCents: amount,
          durationMonths: duration,
          lot: form.lot ? Number(form.lot) : null,
        },
      });
      onSaved("Avenant enregistré.");
    } catch (err) {
      const s = splitFieldErrors(err);
      // The edit form above has fields of the same names: these are the amendment's.
      setErrors(Object.fromEntries(Object.entries(s.fields).map(([k, v]) => [`amend-${k}`, v])));
      setGeneral(s.general);
      requestAnimationFrame(() => summary.current?.focus());
    }
  }

  return (
    <section className="fr-mt-6w" aria-labelledby="amend-contract-title">
      <h2 id="amend-contract-title" className="fr-h4">Enregistrer un avenant</h2>
      <ErrorSummary errors={errors} general={general} labels={amendmentLabels} summaryRef={summary} />
      <form onSubmit={submit} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-4">
            <TextField id="field-amend-signedOn" type="date" label={amendmentLabels["amend-signedOn"]} required value={form.signedOn} onChange={set("signedOn")} error={errors["amend-signedOn"]} />
          </div>
          <div className="fr-col-12 fr-col-md-8">
            <TextField id="field-amend-object" label={amendmentLabels["amend-object"]} required value={form.object} onChange={set("object")} error={errors["amend-object"]} />
          </div>
          {contract.lots.length ? (
            <div className="fr-col-12 fr-col-md-4">
              <SelectField id="field-amend-lot" label={amendmentLabels["amend-lot"]} hint="Un marché alloti se modifie lot par lot" value={form.lot} onChange={set("lot")}
                error={errors["amend-lot"]} placeholder="Tout le marché (durée)" options={contract.lots.map((l) => ({ value: String(l.number), label: `Lot ${l.number} : ${l.object}` }))} />
            </div>
          ) : null}
          <div className="fr-col-12 fr-col-md-4">
            <TextField id="field-amend-awardedCents" label={amendmentLabels["amend-awardedCents"]} inputMode="decimal" value={form.amount} onChange={set("amount")} error={errors["amend-awardedCents"]} />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <TextField id="field-amend-durationMonths" label={amendmentLabels["amend-durationMonths"]} inputMode="numeric" value={form.duration} onChange={set("duration")}
              error={errors["amend-durationMonths"]} />
          </div>
        </div>
        <button className="fr-btn fr-btn--secondary" type="submit">Enregistrer l'avenant</button>
      </form>
    </section>
  );
}
