// What the contract form holds (text as typed), from a contract and back to the API's input.
// Amounts are typed in euros and sent in cents; the fields the form does not show are sent
// back as they are, so that an edit changes only what the person changed.
import { centsToInput, parseEuros } from "../../format/fr";
import type { ContractDetailFragment, ContractInput } from "../../gql/graphql";

export type LotDraft = {
  object: string;
  cpv: string;
  estimated: string;
  awarded: string;
  supplierIds: string[];
};

export type ContractDraft = {
  tenantId: string;
  reference: string;
  object: string;
  category: string;
  procedure: string;
  priceForm: string;
  cpv: string;
  estimated: string;
  awarded: string;
  notifiedOn: string;
  durationMonths: string;
  renewals: string;
  renewalMonths: string;
  noticeDays: string;
  placeCode: string;
  buyerSiret: string;
  offersReceived: string;
  supplierIds: string[];
  lots: LotDraft[];
};

export function emptyDraft(tenantId: string, placeCode: string): ContractDraft {
  return {
    tenantId,
    reference: "",
    object: "",
    category: "services",
    procedure: "Procédure adaptée",
    priceForm: "Forfaitaire",
    cpv: "",
    estimated: "",
    awarded: "",
    notifiedOn: "",
    durationMonths: "12",
    renewals: "0",
    renewalMonths: "0",
    noticeDays: "90",
    placeCode,
    buyerSiret: "",
    offersReceived: "",
    supplierIds: [],
    lots: [],
  };
}

/** The draft of a contract as stored: once notified, the amounts and holders as notified
 * (amendments change them, never an edit). */
export function draftOf(c: ContractDetailFragment): ContractDraft {
  return {
    tenantId: c.tenantId,
    reference: c.reference,
    object: c.object,
    category: c.category,
    procedure: c.procedure,
    priceForm: c.priceForm,
    cpv: c.cpv.code,
    estimated: centsToInput(c.estimatedCents),
    awarded: centsToInput(c.initialAwardedCents),
    notifiedOn: c.notifiedOn ?? "",
    durationMonths: String(c.initialDurationMonths),
    renewals: String(c.renewals),
    renewalMonths: String(c.renewalMonths),
    noticeDays: String(c.noticeDays),
    placeCode: c.placeCode,
    buyerSiret: c.buyerSiret ?? "",
    offersReceived: c.offersReceived === null ? "" : String(c.offersReceived),
    supplierIds: c.supplierIds,
    lots: c.lots.map((l) => ({
      object: l.object,
      cpv: l.cpv.code,
      estimated: centsToInput(l.estimatedCents),
      awarded: centsToInput(l.initialAwardedCents),
      supplierIds: l.initialContractors,
    })),
  };
}

const whole = (s: string) => (/^\d{1,6}$/.test(s.trim()) ? Number(s.trim()) : null);

/** The API's input, or the console's own errors by field (before anything is sent). */
export function toInput(
  d: ContractDraft,
  kept: ContractDetailFragment | null,
): { input: ContractInput | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const euros = "Montant en euros hors taxes, par exemple 25 000,00.";
  if (!d.tenantId) errors.tenantId = "Choisissez la commune.";
  if (!d.reference.trim()) errors.reference = "Indiquez la référence du marché.";
  if (!d.object.trim()) errors.object = "Indiquez l'objet du marché.";
  if (!/^\d{8}(-\d)?$/.test(d.cpv.trim())) errors.cpv = "Un code CPV a 8 chiffres, par exemple 90910000.";
  const estimated = parseEuros(d.estimated);
  if (estimated === null) errors.estimatedCents = euros;
  const awarded = d.awarded.trim() ? parseEuros(d.awarded) : null;
  if (d.awarded.trim() && awarded === null) errors.awardedCents = euros;
  const duration = whole(d.durationMonths);
  if (duration === null) errors.durationMonths = "Une durée en mois, par exemple 12.";
  const renewals = whole(d.renewals || "0");
  if (renewals === null) errors.renewals = "Un nombre de reconductions, par exemple 2.";
  const renewalMonths = whole(d.renewalMonths || "0");
  if (renewalMonths === null) errors.renewalMonths = "Une durée en mois, par exemple 12.";
  const noticeDays = whole(d.noticeDays || "0");
  if (noticeDays === null) errors.noticeDays = "Un nombre de jours, par exemple 90.";
  const offers = d.offersReceived.trim() ? whole(d.offersReceived) : null;
  if (d.offersReceived.trim() && offers === null) errors.offersReceived = "Un nombre d'offres, par exemple 3.";
  const lots = d.lots.map((l, i) => {
    const e = parseEuros(l.estimated);
    const a = l.awarded.trim() ? parseEuros(l.awarded) : null;
    if (!l.object.trim()) errors.lots = `Lot ${i + 1} : indiquez l'objet du lot.`;
    else if (e === null || (l.awarded.trim() && a === null)) errors.lots = `Lot ${i + 1} : ${euros}`;
    return {
      number: i + 1,
      object: l.object,
      cpv: l.cpv.trim() || null,
      estimatedCents: e ?? 0,
      awardedCents: a,
      supplierIds: l.supplierIds,
    };
  });
  if (Object.keys(errors).length) return { input: null, errors };
  const input: ContractInput = {
    reference: d.reference.trim(),
    object: d.object.trim(),
    category: d.category,
    procedure: d.procedure,
    priceForm: d.priceForm,
    cpv: d.cpv.trim(),
    estimatedCents: estimated!,
    awardedCents: awarded,
    notifiedOn: d.notifiedOn || null,
    durationMonths: duration!,
    renewals: renewals!,
    renewalMonths: renewalMonths!,
    noticeDays: noticeDays!,
    placeCode: d.placeCode.trim(),
    buyerSiret: d.buyerSiret.trim() || null,
    offersReceived: offers,
    supplierIds: d.supplierIds,
    lots,
  };
  if (kept) {
    // What the form does not show stays as it is.
    Object.assign(input, {
      nature: kept.nature,
      techniques: kept.techniques,
      executionModalities: kept.executionModalities,
      ccag: kept.ccag,
      priceTypes: kept.priceTypes,
      placeType: kept.placeType,
      socialConsiderations: kept.socialConsiderations,
      environmentalConsiderations: kept.environmentalConsiderations,
      subcontracting: kept.subcontracting,
      innovative: kept.innovative,
      advancePaid: kept.advancePaid,
      operatorGrouping: kept.operatorGrouping,
      shares: kept.shares.map((s) => ({ tenantId: s.tenantId, amountCents: s.amountCents })),
    });
  }
  return { input, errors };
}
