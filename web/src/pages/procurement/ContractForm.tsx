// The fields of a contract and of its lots. Once the contract is notified, its amount, its
// duration, its contractors and its lots' amounts and holders are shown but not editable: an
// amendment (modification) changes them.
import { useState } from "react";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { useAuthenticated } from "../../auth/SessionProvider";
import { CheckboxField, FieldsetGroup, SelectField, TextField } from "../../components/formFields";
import { RepeatableList } from "../register/RepeatableList";
import type { ContractDraft, LotDraft } from "./contractDraft";
import { categoryLabels, priceForms, procedures } from "./procurementLabels";
import { CreateSupplierMutation } from "./procurementQueries";

export const contractLabels: Record<string, string> = {
  tenantId: "Commune",
  reference: "Référence",
  object: "Objet",
  category: "Catégorie",
  procedure: "Procédure",
  priceForm: "Forme du prix",
  cpv: "Code CPV",
  estimatedCents: "Montant estimé (€ HT)",
  awardedCents: "Montant attribué (€ HT)",
  notifiedOn: "Notifié le",
  durationMonths: "Durée ferme (mois)",
  renewals: "Reconductions",
  renewalMonths: "Durée d'une reconduction (mois)",
  noticeDays: "Préavis de non-reconduction (jours)",
  placeCode: "Lieu d'exécution (code commune)",
  buyerSiret: "SIRET de l'acheteur",
  offersReceived: "Offres reçues",
  supplierIds: "Titulaires",
  lots: "Lots",
  shares: "Parts du groupement",
  identifier: "SIRET du fournisseur",
  name: "Nom du fournisseur",
};

type Supplier = { id: string; name: string; identifier: string };

export function ContractFields({
  draft,
  setDraft,
  errors,
  notified,
  suppliers,
  onSupplierAdded,
}: {
  draft: ContractDraft;
  setDraft: (d: ContractDraft) => void;
  errors: Record<string, string>;
  /** The contract as stored is notified: what an amendment changes is locked. */
  notified: boolean;
  suppliers: Supplier[];
  onSupplierAdded: () => void;
}) {
  const ctx = useAuthenticated();
  const set = (k: keyof ContractDraft) => (v: string) => setDraft({ ...draft, [k]: v });
  const byAmendment = notified ? "Marché notifié : se modifie par un avenant." : undefined;
  const toggle = (ids: string[], id: string, on: boolean) => (on ? [...ids, id] : ids.filter((x) => x !== id));
  const communes = ctx.tenants.filter((t) => t.kind !== "organisation");
  return (
    <>
      <div className="fr-grid-row fr-grid-row--gutters">
        {!ctx.tenantId ? (
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="field-tenantId" label={contractLabels.tenantId} required value={draft.tenantId} onChange={set("tenantId")}
              error={errors.tenantId} placeholder="Choisir une commune" options={communes.map((t) => ({ value: t.id, label: t.name }))} />
          </div>
        ) : null}
        <div className="fr-col-12 fr-col-md-6">
          <TextField id="field-reference" label={contractLabels.reference} hint="16 caractères au plus, unique dans la commune" required
            value={draft.reference} onChange={set("reference")} error={errors.reference} />
        </div>
        <div className="fr-col-12">
          <TextField id="field-object" label={contractLabels.object} required value={draft.object} onChange={set("object")} error={errors.object} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <SelectField id="field-category" label={contractLabels.category} value={draft.category} onChange={set("category")} error={errors.category}
            options={Object.entries(categoryLabels).map(([value, label]) => ({ value, label }))} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <SelectField id="field-procedure" label={contractLabels.procedure} value={draft.procedure} onChange={set("procedure")} error={errors.procedure}
            options={procedures.map((p) => ({ value: p, label: p }))} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <SelectField id="field-priceForm" label={contractLabels.priceForm} value={draft.priceForm} onChange={set("priceForm")} error={errors.priceForm}
            options={priceForms.map((p) => ({ value: p, label: p }))} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <TextField id="field-cpv" label={contractLabels.cpv} hint="8 chiffres, par exemple 90910000 (nettoyage)" required inputMode="numeric"
            value={draft.cpv} onChange={set("cpv")} error={errors.cpv} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <TextField id="field-estimatedCents" label={contractLabels.estimatedCents} hint="Par exemple 25 000,00" required inputMode="decimal"
            value={draft.estimated} onChange={set("estimated")} error={errors.estimatedCents} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <TextField id="field-awardedCents" label={contractLabels.awardedCents} hint={byAmendment ?? "Une fois attribué ; la somme des lots s'il est alloti"}
            inputMode="decimal" disabled={notified} value={draft.awarded} onChange={set("awarded")} error={errors.awardedCents} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <TextField id="field-notifiedOn" type="date" label={contractLabels.notifiedOn} hint="Vide tant que le marché n'est pas notifié"
            value={draft.notifiedOn} onChange={set("notifiedOn")} error={errors.notifiedOn} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <TextField id="field-durationMonths" label={contractLabels.durationMonths} hint={byAmendment} required inputMode="numeric" disabled={notified}
            value={draft.durationMonths} onChange={set("durationMonths")} error={errors.durationMonths} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <TextField id="field-placeCode" label={contractLabels.placeCode} required value={draft.placeCode} onChange={set("placeCode")} error={errors.placeCode} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <TextField id="field-renewals" label={contractLabels.renewals} inputMode="numeric" value={draft.renewals} onChange={set("renewals")} error={errors.renewals} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <TextField id="field-renewalMonths" label={contractLabels.renewalMonths} inputMode="numeric" value={draft.renewalMonths}
            onChange={set("renewalMonths")} error={errors.renewalMonths} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <TextField id="field-noticeDays" label={contractLabels.noticeDays} inputMode="numeric" value={draft.noticeDays} onChange={set("noticeDays")}
            error={errors.noticeDays} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <TextField id="field-buyerSiret" label={contractLabels.buyerSiret} hint="14 chiffres, commençant par le SIREN de la commune (données essentielles)"
            inputMode="numeric" value={draft.buyerSiret} onChange={set("buyerSiret")} error={errors.buyerSiret} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <TextField id="field-offersReceived" label={contractLabels.offersReceived} inputMode="numeric" value={draft.offersReceived}
            onChange={set("offersReceived")} error={errors.offersReceived} />
        </div>
      </div>
      <FieldsetGroup id="field-supplierIds" legend={contractLabels.supplierIds} hint={byAmendment ?? "Fournisseurs de l'intercommunalité titulaires du marché"}
        error={errors.supplierIds}>
        {suppliers.length === 0 ? <p className="fr-text--sm">Aucun fournisseur enregistré.</p> : null}
        {suppliers.map((s) =>
          notified ? (
            draft.supplierIds.includes(s.id) ? <p key={s.id} className="fr-text--sm fr-mb-1w">{s.name} ({s.identifier})</p> : null
          ) : (
            <CheckboxField key={s.id} id={`supplier-${s.id}`} label={`${s.name} (${s.identifier})`} checked={draft.supplierIds.includes(s.id)}
              onChange={(on) => setDraft({ ...draft, supplierIds: toggle(draft.supplierIds, s.id, on) })} />
          ),
        )}
      </FieldsetGroup>
      {!notified ? <NewSupplier tenantId={draft.tenantId || ctx.tenantId || ""} onAdded={onSupplierAdded} /> : null}
      <RepeatableList<LotDraft>
        id="field-lots"
        legend={contractLabels.lots}
        hint={notified ? "Marché notifié : le montant et les titulaires d'un lot se modifient par un avenant." : "Un marché alloti : les montants attribués des lots totalisent celui du marché."}
        error={errors.lots}
        items={draft.lots}
        onChange={(lots) => setDraft({ ...draft, lots })}
        make={() => ({ object: "", cpv: "", estimated: "", awarded: "", supplierIds: [] })}
        addLabel="Ajouter un lot"
        itemLabel={(i) => `Lot ${i + 1}`}
        render={(l, update, i) => (
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12">
              <TextField id={`lot-${i}-object`} label="Objet du lot" required value={l.object} onChange={(v) => update({ object: v })} />
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <TextField id={`lot-${i}-cpv`} label="Code CPV du lot" hint="Celui du marché si vide" inputMode="numeric" value={l.cpv}
                onChange={(v) => update({ cpv: v })} />
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <TextField id={`lot-${i}-estimated`} label="Montant estimé (€ HT)" required inputMode="decimal" value={l.estimated}
                onChange={(v) => update({ estimated: v })} />
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <TextField id={`lot-${i}-awarded`} label="Montant attribué (€ HT)" inputMode="decimal" disabled={notified} value={l.awarded}
                onChange={(v) => update({ awarded: v })} />
            </div>
            {!notified && suppliers.length ? (
              <div className="fr-col-12">
                <fieldset className="fr-fieldset" id={`lot-${i}-suppliers`} aria-labelledby={`lot-${i}-suppliers-legend`}>
                  <legend className="fr-fieldset__legend fr-text--regular" id={`lot-${i}-suppliers-legend`}>Titulaires du lot {i + 1}</legend>
                  {suppliers.map((s) => (
                    <div className="fr-fieldset__element" key={s.id}>
                      <CheckboxField id={`lot-${i}-supplier-${s.id}`} label={s.name} checked={l.supplierIds.includes(s.id)}
                        onChange={(on) => update({ supplierIds: toggle(l.supplierIds, s.id, on) })} />
                    </div>
                  ))}
                </fieldset>
              </div>
            ) : null}
          </div>
        )}
      />
    </>
  );
}

/** A supplier recorded on the way (shared by the whole intercommunality, one per SIRET). */
function NewSupplier({ tenantId, onAdded }: { tenantId: string; onAdded: () => void }) {
  const [form, setForm] = useState({ identifier: "", name: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  async function add() {
    setDone(null);
    const local: Record<string, string> = {};
    if (!tenantId) local.identifier = "Choisissez d'abord la commune.";
    if (!form.identifier.trim()) local.identifier = "Indiquez le SIRET du fournisseur.";
    if (!form.name.trim()) local.name = "Indiquez le nom du fournisseur.";
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const r = await request(CreateSupplierMutation, { input: { tenantId, identifier: form.identifier, name: form.name } });
      setDone(`Fournisseur « ${r.createSupplier.name} » enregistré : cochez-le parmi les titulaires.`);
      setForm({ identifier: "", name: "" });
      onAdded();
    } catch (e) {
      const s = splitFieldErrors(e);
      setErrors({ ...s.fields, ...(s.general.length ? { identifier: s.general.join(" ") } : {}) });
    }
  }
  return (
    <details className="fr-mb-3w">
      <summary>Enregistrer un nouveau fournisseur</summary>
      <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mt-1w">
        <div className="fr-col-12 fr-col-md-4">
          <TextField id="supplier-identifier" label={contractLabels.identifier} inputMode="numeric" value={form.identifier}
            onChange={(v) => setForm({ ...form, identifier: v })} error={errors.identifier} />
        </div>
        <div className="fr-col-12 fr-col-md-5">
          <TextField id="supplier-name" label={contractLabels.name} value={form.name} onChange={(v) => setForm({ ...form, name: v })} error={errors.name} />
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <button type="button" className="fr-btn fr-btn--secondary" onClick={() => void add()}>Enregistrer le fournisseur</button>
        </div>
      </div>
      <p role="status" className="fr-text--sm">{done ?? ""}</p>
    </details>
  );
}
