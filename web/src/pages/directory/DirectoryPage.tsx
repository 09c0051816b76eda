// Member communes and the people who work in them, with their roles; inviting a person
// (they log in through the identity provider with this e-mail).
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { roleLabel } from "../../auth/roles";
import { DataTable } from "../../components/DataTable";
import { Pagination, ResultCount, useListParams } from "../../components/ListPager";
import { ErrorSummary, SelectField, TextField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatDateTime, formatNumber, plural, compareNames } from "../../format/fr";
import { InviteUserMutation, MemberTenantsQuery, PeopleQuery } from "./directoryQueries";
import { personName } from "./usePeopleNames";

const labels = { email: "Adresse électronique", givenName: "Prénom", usualName: "Nom", role: "Rôle", tenantId: "Commune" };
const ORGANISATION_ROLES = ["org_admin", "dpo"];

export function DirectoryPage() {
  const ctx = useAuthenticated();
  const people = useQuery(PeopleQuery, {});
  const pages = useListParams();
  const tenants = useQuery(MemberTenantsQuery, { first: pages.first, offset: pages.offset });
  // The page's communes, in the API's French order; the figures count every commune reached.
  const communes = tenants.data?.tenants.items ?? [];
  const allCommunes = ctx.tenants.filter((t) => t.kind !== "organisation");
  const totalPopulation = allCommunes.reduce((s, t) => s + t.population, 0);
  const canInvite = ctx.roles.some((r) => r === "platform_admin" || r === "org_admin" || r === "commune_admin");
  const list = [...(people.data?.people ?? [])].sort((a, b) => compareNames(personName(a), personName(b)));
  return (
    <>
      <PageHeading title="Communes et utilisateurs">
        {plural(allCommunes.length, "commune membre", "communes membres")}, {formatNumber(totalPopulation)} habitants ; les personnes et leurs rôles.
      </PageHeading>
      <h2 className="fr-h4">Communes membres</h2>
      {tenants.error ? <QueryError error={tenants.error} /> : null}
      {tenants.loading && !tenants.data ? <Loading what="les communes" /> : null}
      <ResultCount total={tenants.data?.tenants.totalCount} list={pages} loading={tenants.loading} />
      <DataTable
        caption="Communes membres"
        captionHidden
        headers={["Commune", "Code INSEE", "SIREN", "Population"]}
        rowHeaders
        rows={communes.map((t) => [t.name, t.inseeCode ?? "—", t.siren, formatNumber(t.population)])}
      />
      <Pagination total={tenants.data?.tenants.totalCount} list={pages} label="Pages des communes" />
      <h2 className="fr-h4 fr-mt-6w">Utilisateurs</h2>
      {people.error ? <QueryError error={people.error} /> : null}
      {people.loading && !people.data ? <Loading what="les utilisateurs" /> : null}
      {list.length ? (
        <DataTable
          caption="Utilisateurs et leurs rôles"
          captionHidden
          headers={["Personne", "Rôles", "Dernière connexion"]}
          rowHeaders
          rows={list.map((p) => [
            <>
              {personName(p)}
              {personName(p) !== p.email ? <span className="fr-hint-text">{p.email}</span> : null}
            </>,
            <ul className="fr-text--sm fr-mb-0">
              {p.memberships.map((m) => (
                <li key={m.id}>
                  {roleLabel(m.role)}
                  {m.tenantId ? ` — ${ctx.tenantName(m.tenantId)}` : ""}
                </li>
              ))}
            </ul>,
            p.lastLoginAt ? formatDateTime(p.lastLoginAt) : "aucune connexion",
          ])}
        />
      ) : null}
      {canInvite ? <InviteForm onInvited={people.reload} /> : null}
    </>
  );
}

function InviteForm({ onInvited }: { onInvited: () => void }) {
  const ctx = useAuthenticated();
  const orgWide = ctx.roles.some((r) => r === "platform_admin" || r === "org_admin");
  const roles = orgWide ? ["org_admin", "dpo", "commune_admin", "commune_editor"] : ["commune_admin", "commune_editor"];
  const communes = ctx.tenants.filter((t) => t.kind !== "organisation");
  const [form, setForm] = useState({ email: "", givenName: "", usualName: "", role: "commune_editor", tenantId: ctx.currentTenant?.kind === "organisation" ? "" : ctx.tenantId ?? "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const needsCommune = !ORGANISATION_ROLES.includes(form.role);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) local.email = "Une adresse électronique valide (nom@domaine.fr).";
    if (needsCommune && !form.tenantId) local.tenantId = "Choisissez la commune de ce rôle.";
    setDone(null);
    setErrors(local);
    setGeneral([]);
    if (Object.keys(local).length) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    const organisationId = ctx.tenants.find((t) => t.id === form.tenantId)?.organisationId ?? ctx.organisations[0]?.id ?? "";
    try {
      await request(InviteUserMutation, {
        input: {
          email: form.email.trim(),
          givenName: form.givenName.trim() || null,
          usualName: form.usualName.trim() || null,
          role: form.role,
          organisationId,
          tenantId: needsCommune ? form.tenantId : null,
        },
      });
      setDone(`${form.email.trim()} : ${roleLabel(form.role)}${needsCommune ? ` — ${ctx.tenantName(form.tenantId)}` : ""}. La personne se connecte avec cette adresse.`);
      setForm((f) => ({ ...f, email: "", givenName: "", usualName: "" }));
      onInvited();
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
      requestAnimationFrame(() => summary.current?.focus());
    }
  }

  return (
    <section className="fr-mt-6w" aria-labelledby="invite-title">
      <h2 className="fr-h4" id="invite-title">Inviter une personne</h2>
      <ErrorSummary errors={errors} general={general} labels={labels} summaryRef={summary} />
      {done ? <div><Alert severity="success" small description={done} className="fr-mb-2w" /></div> : null}
      <form onSubmit={submit} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-email" type="email" label={labels.email} required value={form.email} onChange={set("email")} error={errors.email} autoComplete="off" />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <TextField id="field-givenName" label={labels.givenName} value={form.givenName} onChange={set("givenName")} error={errors.givenName} />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <TextField id="field-usualName" label={labels.usualName} value={form.usualName} onChange={set("usualName")} error={errors.usualName} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="field-role" label={labels.role} value={form.role} onChange={set("role")} error={errors.role}
              options={roles.map((r) => ({ value: r, label: roleLabel(r) }))} />
          </div>
          {needsCommune ? (
            <div className="fr-col-12 fr-col-md-6">
              <SelectField id="field-tenantId" label={labels.tenantId} required value={form.tenantId} onChange={set("tenantId")} error={errors.tenantId}
                placeholder="Choisir une commune" options={communes.map((t) => ({ value: t.id, label: t.name }))} />
            </div>
          ) : null}
        </div>
        <button type="submit" className="fr-btn">Inviter</button>
      </form>
    </section>
  );
}
