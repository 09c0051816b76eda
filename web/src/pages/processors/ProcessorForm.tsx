// A processor's identity and its Art. 28 contract, for creating one or changing it.
import { useState, type FormEvent, type ReactNode } from "react";
import { splitFieldErrors } from "../../api/errorMessages";
import { ErrorSummary, SelectField, TextField } from "../../components/formFields";

export type ProcessorDraft = {
  name: string;
  siret: string;
  contact: string;
  country: string;
  contractRef: string;
  dpaStatus: string;
  dpaSignedOn: string;
};

export const emptyProcessor: ProcessorDraft = { name: "", siret: "", contact: "", country: "FR", contractRef: "", dpaStatus: "none", dpaSignedOn: "" };

export const processorLabels: Record<string, string> = {
  tenantId: "Commune",
  name: "Nom du sous-traitant",
  siret: "SIRET",
  contact: "Contact",
  country: "Pays",
  contractRef: "Référence du contrat",
  dpaStatus: "Clauses de sous-traitance (art. 28)",
  dpaSignedOn: "Date de signature",
};

/** The draft as the API's input (empty optional values sent as null). */
export function processorInput(d: ProcessorDraft) {
  return {
    name: d.name,
    siret: d.siret.trim() ? d.siret : null,
    contact: d.contact,
    country: d.country,
    contractRef: d.contractRef,
    dpaStatus: d.dpaStatus,
    dpaSignedOn: d.dpaStatus === "signed" && d.dpaSignedOn ? d.dpaSignedOn : null,
  };
}

export function ProcessorForm({
  initial,
  dpaStatuses,
  submitLabel,
  before,
  check,
  onSubmit,
}: {
  initial: ProcessorDraft;
  dpaStatuses: { code: string; label: string }[];
  submitLabel: string;
  /** Fields shown first (the commune, on creation). */
  before?: (errors: Record<string, string>) => ReactNode;
  /** Checks what the form does not know (the commune); saves; throws the API's error, whose
   * field messages are put next to the fields. Returns whether to empty the form. */
  check?: () => Record<string, string>;
  onSubmit: (d: ProcessorDraft) => Promise<boolean>;
}) {
  const [d, setD] = useState(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const set = (k: keyof ProcessorDraft) => (v: string) => setD({ ...d, [k]: v });
  // One such form a page: its fields are the ones the error summary links to.
  const id = (f: string) => `field-${f}`;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = check ? check() : {};
    if (!d.name.trim()) local.name = "Donnez un nom au sous-traitant.";
    if (!/^[A-Za-z]{2}$/.test(d.country.trim())) local.country = "Indiquez le pays par son code à deux lettres (FR par exemple).";
    if (d.dpaStatus === "signed" && !d.dpaSignedOn) local.dpaSignedOn = "Indiquez la date de signature.";
    setGeneral([]);
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      if (await onSubmit(d)) setD(initial);
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <ErrorSummary errors={errors} general={general} labels={processorLabels} />
      <div className="fr-grid-row fr-grid-row--gutters">
        {before ? before(errors) : null}
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={id("name")} label={processorLabels.name} required value={d.name} onChange={set("name")} error={errors.name} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={id("siret")} label={processorLabels.siret} value={d.siret} onChange={set("siret")} error={errors.siret}
            inputMode="numeric" hint="14 chiffres, si l'entreprise est française." />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={id("contact")} label={processorLabels.contact} value={d.contact} onChange={set("contact")} error={errors.contact}
            hint="Le délégué ou la personne à joindre chez le sous-traitant." />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={id("country")} label={processorLabels.country} required value={d.country} onChange={set("country")} error={errors.country}
            hint="Code à deux lettres : FR, DE, IE…" />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={id("contractRef")} label={processorLabels.contractRef} value={d.contractRef} onChange={set("contractRef")} error={errors.contractRef} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <SelectField id={id("dpaStatus")} label={processorLabels.dpaStatus} value={d.dpaStatus} onChange={set("dpaStatus")} error={errors.dpaStatus}
            options={dpaStatuses.map((s) => ({ value: s.code, label: s.label }))} />
        </div>
        {d.dpaStatus === "signed" ? (
          <div className="fr-col-12 fr-col-md-6">
            <TextField id={id("dpaSignedOn")} type="date" label={processorLabels.dpaSignedOn} required value={d.dpaSignedOn} onChange={set("dpaSignedOn")} error={errors.dpaSignedOn} />
          </div>
        ) : null}
      </div>
      <button className="fr-btn fr-mt-2w" type="submit">{submitLabel}</button>
    </form>
  );
}
