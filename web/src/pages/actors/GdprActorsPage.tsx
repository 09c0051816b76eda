// The commune's GDPR actors: its référent RGPD, the representative of the controller, its IT
// referent and its comité Informatique et Libertés. The commune's administrator or the DPO
// records them; the DPO sees, across communes, which one lacks whom.
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { graphql } from "../../gql";
import type { GdprActorsQuery as GdprActorsResult } from "../../gql/graphql";
import { request } from "../../api/graphqlClient";
import { errorText, splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can, isOrganisationWide } from "../../auth/roles";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { ErrorSummary, SelectField, TextField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatShortDate } from "../../format/fr";

export const GdprActorsQuery = graphql(`
  query GdprActors($tenantIds: [UUID!]) {
    gdprActors(tenantIds: $tenantIds) {
      id
      tenantId
      role { code label }
      committeeRole
      fullName
      functionTitle
      email
      phone
      since
      version
    }
    gdprActorRoles { code label }
  }
`);

export const GdprActorCoverageQuery = graphql(`
  query GdprActorCoverage($organisationId: UUID!) {
    gdprActorCoverage(organisationId: $organisationId) {
      tenantId
      name
      referent
      representative
      itReferent
      committeeMembers
      missing
    }
  }
`);

const CreateActor = graphql(`
  mutation CreateGdprActor($tenantId: UUID!, $input: GdprActorInput!) {
    createGdprActor(tenantId: $tenantId, input: $input) { id fullName role { label } }
  }
`);

const UpdateActor = graphql(`
  mutation UpdateGdprActor($id: UUID!, $version: Int!, $input: GdprActorInput!) {
    updateGdprActor(id: $id, version: $version, input: $input) { id fullName role { label } }
  }
`);

const DeleteActor = graphql(`
  mutation DeleteGdprActor($id: UUID!) {
    deleteGdprActor(id: $id)
  }
`);

type Actor = GdprActorsResult["gdprActors"][number];

const labels: Record<string, string> = {
  role: "Rôle",
  committeeRole: "Rôle au comité",
  fullName: "Nom et prénom",
  functionTitle: "Fonction",
  email: "Courriel",
  phone: "Téléphone",
  since: "En fonction depuis le",
};

export function GdprActorsPage() {
  const ctx = useAuthenticated();
  const orgWide = isOrganisationWide(ctx.roles);
  const organisationId = ctx.organisations[0]?.id ?? null;
  return (
    <>
      <PageHeading title="Acteurs RGPD">
        Le référent RGPD de la commune, le représentant du responsable de traitement (le maire ou son délégué), le référent
        informatique et le comité Informatique et Libertés.
      </PageHeading>
      {orgWide && organisationId ? <Coverage organisationId={organisationId} /> : null}
      {ctx.currentTenant ? (
        <CommuneActors key={ctx.currentTenant.id} tenantId={ctx.currentTenant.id} tenantName={ctx.currentTenant.name} />
      ) : (
        <p className="fr-mt-4w">Choisissez une commune dans le sélecteur pour voir et modifier ses acteurs.</p>
      )}
    </>
  );
}

function Coverage({ organisationId }: { organisationId: string }) {
  const q = useQuery(GdprActorCoverageQuery, { organisationId });
  const rows = q.data?.gdprActorCoverage ?? [];
  const lacking = rows.filter((r) => !r.referent).length;
  return (
    <section aria-labelledby="coverage-title" className="fr-mb-6w">
      <h2 id="coverage-title" className="fr-h4">Acteurs de chaque commune</h2>
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les acteurs des communes" /> : null}
      {q.data ? (
        <p id="coverage-summary">
          {lacking === 0
            ? "Chaque commune a un référent RGPD."
            : `${lacking} commune${lacking > 1 ? "s n'ont" : " n'a"} pas de référent RGPD.`}
        </p>
      ) : null}
      {rows.length ? (
        <DataTable
          caption="Acteurs RGPD de chaque commune"
          captionHidden
          rowHeaders
          headers={["Commune", "Référent RGPD", "Représentant", "Référent informatique", "Comité", "État"]}
          rows={rows.map((r) => [
            r.name,
            r.referent ?? "—",
            r.representative ?? "—",
            r.itReferent ?? "—",
            r.committeeMembers ? `${r.committeeMembers} membre${r.committeeMembers > 1 ? "s" : ""}` : "—",
            r.missing.length ? (
              <Badge as="span" small noIcon severity="warning">{`manque : ${r.missing.join(", ").toLowerCase()}`}</Badge>
            ) : (
              <Badge as="span" small noIcon severity="success">complet</Badge>
            ),
          ])}
        />
      ) : null}
    </section>
  );
}

function CommuneActors({ tenantId, tenantName }: { tenantId: string; tenantName: string }) {
  const ctx = useAuthenticated();
  const editable = can(ctx.roles, "editGdprActors");
  const q = useQuery(GdprActorsQuery, { tenantIds: [tenantId] });
  const [editing, setEditing] = useState<Actor | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const actors = q.data?.gdprActors ?? [];
  const roles = q.data?.gdprActorRoles ?? [];

  async function remove(a: Actor) {
    setNotice(null);
    setFailure(null);
    try {
      await request(DeleteActor, { id: a.id });
      setNotice(`${a.fullName} a été retiré des acteurs (${a.role.label}).`);
      if (editing?.id === a.id) setEditing(null);
      q.reload();
    } catch (e) {
      setFailure(errorText(e));
    }
  }

  return (
    <section aria-labelledby="actors-title">
      <h2 id="actors-title" className="fr-h4">Acteurs de {tenantName}</h2>
      <div aria-live="polite">
        {notice ? <Alert severity="success" small description={notice} className="fr-mb-2w" /> : null}
      </div>
      {failure ? <Alert severity="error" small description={failure} className="fr-mb-2w" /> : null}
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les acteurs" /> : null}
      {q.data && actors.length === 0 ? <EmptyState>Aucun acteur n'est encore désigné.</EmptyState> : null}
      {actors.length ? (
        <DataTable
          caption={`Acteurs RGPD de ${tenantName}`}
          captionHidden
          headers={["Rôle", "Nom", "Fonction", "Courriel", "Téléphone", "Depuis", ...(editable ? ["Actions"] : [])]}
          rows={actors.map((a) => [
            a.committeeRole ? `${a.role.label} (${a.committeeRole})` : a.role.label,
            a.fullName,
            a.functionTitle || "—",
            a.email ? <a href={`mailto:${a.email}`}>{a.email}</a> : "—",
            a.phone || "—",
            a.since ? formatShortDate(a.since) : "—",
            ...(editable
              ? [
                  <ul className="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm" key="a">
                    <li>
                      <button type="button" className="fr-btn fr-btn--secondary" onClick={() => { setNotice(null); setEditing(a); }}>
                        Modifier<span className="fr-sr-only"> : {a.fullName}</span>
                      </button>
                    </li>
                    <li>
                      <button type="button" className="fr-btn fr-btn--tertiary" onClick={() => void remove(a)}>
                        Retirer<span className="fr-sr-only"> : {a.fullName}</span>
                      </button>
                    </li>
                  </ul>,
                ]
              : []),
          ])}
        />
      ) : null}
      {editable && roles.length ? (
        <ActorForm
          key={editing?.id ?? "new"}
          tenantId={tenantId}
          actor={editing}
          roles={roles}
          onCancel={() => setEditing(null)}
          onSaved={(text) => {
            setNotice(text);
            setEditing(null);
            q.reload();
          }}
        />
      ) : null}
    </section>
  );
}

function ActorForm({
  tenantId,
  actor,
  roles,
  onSaved,
  onCancel,
}: {
  tenantId: string;
  actor: Actor | null;
  roles: { code: string; label: string }[];
  onSaved: (notice: string) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState({
    role: actor?.role.code ?? "referent",
    committeeRole: actor?.committeeRole ?? "",
    fullName: actor?.fullName ?? "",
    functionTitle: actor?.functionTitle ?? "",
    email: actor?.email ?? "",
    phone: actor?.phone ?? "",
    since: actor?.since ?? "",
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const summary = useRef<HTMLDivElement>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setGeneral([]);
    const input = { ...form, since: form.since || null };
    try {
      const saved = actor
        ? (await request(UpdateActor, { id: actor.id, version: actor.version, input })).updateGdprActor
        : (await request(CreateActor, { tenantId, input })).createGdprActor;
      onSaved(`${saved.fullName} est enregistré : ${saved.role.label}.`);
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
      requestAnimationFrame(() => summary.current?.focus());
    }
  }

  return (
    <section className="fr-mt-4w" aria-labelledby="actor-form-title">
      <h3 id="actor-form-title" className="fr-h5">{actor ? `Modifier la fiche de ${actor.fullName}` : "Désigner un acteur"}</h3>
      <ErrorSummary errors={errors} general={general} labels={labels} summaryRef={summary} />
      <form onSubmit={submit} noValidate aria-labelledby="actor-form-title">
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="field-role" label={labels.role} required value={form.role} onChange={set("role")}
              options={roles.map((r) => ({ value: r.code, label: r.label }))} error={errors.role} />
          </div>
          {form.role === "committee_member" ? (
            <div className="fr-col-12 fr-col-md-6">
              <TextField id="field-committeeRole" label={labels.committeeRole} hint="Président, secrétaire, membre…" value={form.committeeRole}
                onChange={set("committeeRole")} error={errors.committeeRole} />
            </div>
          ) : null}
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-fullName" label={labels.fullName} required autoComplete="off" value={form.fullName} onChange={set("fullName")} error={errors.fullName} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-functionTitle" label={labels.functionTitle} hint="Maire, DGS, secrétaire de mairie…" value={form.functionTitle}
              onChange={set("functionTitle")} error={errors.functionTitle} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-email" label={labels.email} type="email" autoComplete="off" value={form.email} onChange={set("email")} error={errors.email} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-phone" label={labels.phone} hint="Par exemple 03 44 40 72 00" autoComplete="off" value={form.phone} onChange={set("phone")} error={errors.phone} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-since" label={labels.since} type="date" value={form.since} onChange={set("since")} error={errors.since} />
          </div>
        </div>
        <ul className="fr-btns-group fr-btns-group--inline-sm">
          <li><button type="submit" className="fr-btn">{actor ? "Enregistrer la fiche" : "Désigner"}</button></li>
          {actor ? <li><button type="button" className="fr-btn fr-btn--secondary" onClick={onCancel}>Annuler</button></li> : null}
        </ul>
      </form>
    </section>
  );
}
