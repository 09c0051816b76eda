// Billing identities: what Chorus Pro needs to accept an invoice to each commune (SIRET of the
// paying establishment, service code and commitment number when the commune requires them),
// the intercommunality's own (SIRET, account of its public accountant), and each commune's
// channel. The DSI records them for every commune, a commune's administrator for its own.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { graphql } from "../../gql";
import type { BillingIdentitiesQuery as BillingIdentitiesResult } from "../../gql/graphql";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { DataTable } from "../../components/DataTable";
import { CheckboxField, ErrorSummary, SelectField, TextField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";

export const BillingIdentitiesQuery = graphql(`
  query BillingIdentities {
    billingIdentities {
      tenantId
      tenantName
      tenantKind
      siren
      siret
      serviceCode
      serviceCodeRequired
      commitmentNumber
      commitmentRequired
      channel
      channelLabel
      iban
      bic
      agreementReference
      budgetAccount
      missingForChorus
    }
  }
`);

export const SetBillingIdentityMutation = graphql(`
  mutation SetBillingIdentity($input: BillingIdentityInput!) {
    setBillingIdentity(input: $input) {
      tenantId
      tenantName
      missingForChorus
    }
  }
`);

const channels = [
  { value: "chorus_pro", label: "Chorus Pro (facture électronique)" },
  { value: "titre", label: "Titre de recettes (logiciel financier de l'intercommunalité)" },
  { value: "stripe", label: "Stripe (virement, carte, prélèvement)" },
];

const labels: Record<string, string> = {
  siret: "SIRET de l'établissement payeur",
  channel: "Canal de facturation",
  serviceCode: "Code service Chorus Pro",
  commitmentNumber: "Numéro d'engagement",
  iban: "IBAN du comptable public",
  bic: "BIC",
  agreementReference: "Référence de la convention de mutualisation",
  budgetAccount: "Compte budgétaire des titres",
};

type Identity = BillingIdentitiesResult["billingIdentities"][number];

function missingText(m: string[]): string {
  return m.length ? `Il manque ${m.join(" et ")}.` : "";
}

export function BillingIdentityPage() {
  const q = useQuery(BillingIdentitiesQuery, {});
  const list = q.data?.billingIdentities ?? [];
  const [choice, setChoice] = useState("");
  const chosen = list.find((i) => i.tenantId === choice) ?? list.find((i) => i.missingForChorus.length) ?? list[0];
  return (
    <>
      <PageHeading title="Identité de facturation">
        Ce que Chorus Pro exige pour accepter une facture adressée à une commune : le SIRET de l'établissement payeur, le code
        service et le numéro d'engagement quand la commune les demande. Le référentiel ne donne que le SIREN : le SIRET se saisit ici.
      </PageHeading>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les identités de facturation" /> : null}
      {list.length ? (
        <DataTable
          caption="Identités de facturation"
          captionHidden
          headers={["Collectivité", "SIRET", "Code service", "Engagement", "Canal", "État"]}
          rows={list.map((i) => [
            i.tenantKind === "organisation" ? `${i.tenantName} (vendeur)` : i.tenantName,
            i.siret ?? <span className="fr-hint-text">SIRET à saisir (SIREN {i.siren})</span>,
            i.serviceCode ?? (i.serviceCodeRequired ? "exigé, à saisir" : "—"),
            i.commitmentNumber ?? (i.commitmentRequired ? "exigé, à saisir" : "—"),
            i.channelLabel,
            i.missingForChorus.length ? (
              <Badge as="span" small noIcon severity="warning">{missingText(i.missingForChorus)}</Badge>
            ) : (
              <Badge as="span" small noIcon severity="success">complète</Badge>
            ),
          ])}
        />
      ) : null}
      {chosen ? (
        <IdentityForm
          key={chosen.tenantId}
          identity={chosen}
          choices={list.map((i) => ({ value: i.tenantId, label: i.tenantName }))}
          onChoose={setChoice}
          onSaved={q.reload}
        />
      ) : null}
    </>
  );
}

function IdentityForm({
  identity,
  choices,
  onChoose,
  onSaved,
}: {
  identity: Identity;
  choices: { value: string; label: string }[];
  onChoose: (id: string) => void;
  onSaved: () => void;
}) {
  const seller = identity.tenantKind === "organisation";
  const [form, setForm] = useState({
    siret: identity.siret ?? "",
    channel: identity.channel,
    serviceCode: identity.serviceCode ?? "",
    serviceCodeRequired: identity.serviceCodeRequired,
    commitmentNumber: identity.commitmentNumber ?? "",
    commitmentRequired: identity.commitmentRequired,
    iban: identity.iban ?? "",
    bic: identity.bic ?? "",
    agreementReference: identity.agreementReference ?? "",
    budgetAccount: identity.budgetAccount ?? "",
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => setDone(null), [identity.tenantId]);
  const set = (k: keyof typeof form) => (v: string | boolean) => setForm((f) => ({ ...f, [k]: v }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    setErrors({});
    setGeneral([]);
    const blank = (s: string) => (s.trim() ? s.trim() : null);
    try {
      const r = await request(SetBillingIdentityMutation, {
        input: {
          tenantId: identity.tenantId,
          siret: blank(form.siret),
          channel: form.channel,
          serviceCode: blank(form.serviceCode),
          serviceCodeRequired: form.serviceCodeRequired,
          commitmentNumber: blank(form.commitmentNumber),
          commitmentRequired: form.commitmentRequired,
          iban: blank(form.iban),
          bic: blank(form.bic),
          agreementReference: blank(form.agreementReference),
          budgetAccount: blank(form.budgetAccount),
        },
      });
      const m = r.setBillingIdentity.missingForChorus;
      setDone(`Identité de ${r.setBillingIdentity.tenantName} enregistrée.${m.length ? ` Pour Chorus Pro, ${missingText(m).toLowerCase()}` : ""}`);
      onSaved();
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
      requestAnimationFrame(() => summary.current?.focus());
    }
  }

  return (
    <section className="fr-mt-6w" aria-labelledby="identity-form-title">
      <h2 className="fr-h4" id="identity-form-title">Modifier une identité</h2>
      {choices.length > 1 ? (
        <SelectField id="identity-tenant" label="Collectivité" value={identity.tenantId} onChange={onChoose} options={choices} />
      ) : null}
      <ErrorSummary errors={errors} general={general} labels={labels} summaryRef={summary} />
      {done ? <div><Alert severity="success" small description={done} className="fr-mb-2w" /></div> : null}
      <form onSubmit={submit} noValidate aria-label={`Identité de facturation de ${identity.tenantName}`}>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-siret" label={labels.siret} hint={`14 chiffres, commençant par le SIREN ${identity.siren}`}
              inputMode="numeric" value={form.siret} onChange={set("siret")} error={errors.siret} />
          </div>
          {seller ? null : (
            <div className="fr-col-12 fr-col-md-6">
              <SelectField id="field-channel" label={labels.channel} value={form.channel} onChange={set("channel")} options={channels} error={errors.channel} />
            </div>
          )}
        </div>
        {seller ? (
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-6">
              <TextField id="field-iban" label={labels.iban} hint="Compte au Trésor du comptable public de l'intercommunalité" value={form.iban} onChange={set("iban")} error={errors.iban} />
            </div>
            <div className="fr-col-12 fr-col-md-6">
              <TextField id="field-bic" label={labels.bic} hint="8 ou 11 caractères, par exemple BDFEFRPPCCT" value={form.bic} onChange={set("bic")} error={errors.bic} />
            </div>
            <div className="fr-col-12 fr-col-md-8">
              <TextField id="field-agreementReference" label={labels.agreementReference} hint="Fondement des titres de recettes" value={form.agreementReference} onChange={set("agreementReference")} error={errors.agreementReference} />
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <TextField id="field-budgetAccount" label={labels.budgetAccount} hint="M57 : 70875 pour les remboursements des communes membres" inputMode="numeric" value={form.budgetAccount} onChange={set("budgetAccount")} error={errors.budgetAccount} />
            </div>
          </div>
        ) : (
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-6">
              <CheckboxField id="field-serviceCodeRequired" label="La commune exige un code service" checked={form.serviceCodeRequired} onChange={set("serviceCodeRequired")} />
              <TextField id="field-serviceCode" label={labels.serviceCode} value={form.serviceCode} onChange={set("serviceCode")} error={errors.serviceCode} />
            </div>
            <div className="fr-col-12 fr-col-md-6">
              <CheckboxField id="field-commitmentRequired" label="La commune exige un numéro d'engagement" checked={form.commitmentRequired} onChange={set("commitmentRequired")} />
              <TextField id="field-commitmentNumber" label={labels.commitmentNumber} value={form.commitmentNumber} onChange={set("commitmentNumber")} error={errors.commitmentNumber} />
            </div>
          </div>
        )}
        <button type="submit" className="fr-btn">Enregistrer l'identité</button>
      </form>
    </section>
  );
}
