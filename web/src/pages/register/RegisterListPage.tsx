// The GDPR register of the commune chosen (or of every commune reached), with filters kept in
// the address so that a filtered list can be bookmarked; and the intercommunality's models.
import { useState, type FormEvent, type ReactNode } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router-dom";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { GraphQLRequestError, request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { CheckboxField, SelectField, TextField } from "../../components/formFields";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { ResultCount, Pagination, useListParams, useSort } from "../../components/ListPager";
import { formatShortDate } from "../../format/fr";
import { InstantiateModelMutation, ModelActivitiesQuery, RegisterActivitiesQuery } from "./activityQueries";
import { dpiaLabel } from "./registerLabels";
import { BulkBar, ColumnChooser, useRegisterColumns } from "./RegisterColumns";
import { ListExportButtons } from "../../components/listExport";

/** Column headers of the register list, by column key. */
const HEADERS: Record<string, string> = {
  name: "Traitement",
  commune: "Commune",
  department: "Service",
  status: "Statut",
  completeness: "Complétude",
  dpia: "Analyse d'impact",
  sensitive: "Données sensibles",
  legal_bases: "Bases légales",
  owner: "Responsable opérationnel",
  updated_at: "Modifié le",
};
/** Columns that sort the list (their key in the address). */
const SORT_OF: Record<string, string> = { name: "nom", status: "statut", updated_at: "modifie" };

/** Sort keys in the address, and the API's columns. */
const SORTS = { nom: "NAME", statut: "STATUS", modifie: "UPDATED_AT" } as const;
type SortKey = keyof typeof SORTS;

export function RegisterListPage() {
  const ctx = useAuthenticated();
  const [params, setParams] = useSearchParams();
  // What the previous screen did (a draft deleted).
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const pager = useListParams();
  const sort = useSort(pager, "nom", Object.keys(SORTS));
  const search = params.get("q") ?? "";
  const status = params.get("statut") ?? "";
  const dpiaRequired = params.get("aipd") === "1";
  const sensitive = params.get("sensibles") === "1";
  const [form, setForm] = useState({ search, status, dpiaRequired, sensitive });
  const list = useQuery(RegisterActivitiesQuery, {
    tenantIds: ctx.tenantIds,
    search: search || null,
    status: status || null,
    dpiaRequired: dpiaRequired || null,
    sensitive: sensitive || null,
    orderBy: SORTS[sort.by as SortKey],
    descending: sort.descending,
    first: pager.first,
    offset: pager.offset,
  });
  const editable = can(ctx.roles, "editGdpr");
  const manyCommunes = !ctx.tenantId;
  const columns = useRegisterColumns();
  // The commune column only when several communes are listed.
  const shown = columns.visible.filter((c) => c !== "commune" || manyCommunes);
  const [selected, setSelected] = useState<string[]>([]);
  const [bulkNotice, setBulkNotice] = useState<string | null>(null);
  type Row = NonNullable<typeof list.data>["activities"]["items"][number];
  function cell(c: string, a: Row): ReactNode {
    switch (c) {
      case "name":
        return (
          <>
            <Link to={`/registre/${a.id}`}>{a.name}</Link>
            {a.department && !shown.includes("department") ? <span className="fr-hint-text">{a.department}</span> : null}
            {a.modelChanges.length ? <Badge as="span" small severity="info">modèle modifié</Badge> : null}
          </>
        );
      case "commune":
        return ctx.tenantName(a.tenantId);
      case "department":
        return a.department || "—";
      case "status":
        return <Badge as="span" small noIcon severity={a.status.code === "draft" ? undefined : "success"}>{a.status.label}</Badge>;
      case "completeness":
        return `${a.completeness} %`;
      case "dpia":
        return dpiaLabel(a.dpiaScreening);
      case "sensitive":
        return a.hasSensitiveData ? "Oui" : "Non";
      case "legal_bases":
        return a.legalBases.map((l) => l.basis.label).join(", ") || "—";
      case "owner":
        return a.owner || "—";
      case "updated_at":
        return <span className="console-nowrap">{formatShortDate(a.updatedAt.slice(0, 10))}</span>;
      default:
        return "—";
    }
  }

  function applyFilters(e: FormEvent) {
    e.preventDefault();
    const next = new URLSearchParams();
    if (form.search.trim()) next.set("q", form.search.trim());
    if (form.status) next.set("statut", form.status);
    if (form.dpiaRequired) next.set("aipd", "1");
    if (form.sensitive) next.set("sensibles", "1");
    // The sort stays; the page goes back to the first.
    for (const k of ["tri", "ordre"]) {
      const v = params.get(k);
      if (v) next.set(k, v);
    }
    setParams(next);
  }

  function resetFilters() {
    setForm({ search: "", status: "", dpiaRequired: false, sensitive: false });
    setParams(new URLSearchParams());
  }

  const activities = list.data?.activities.items ?? [];
  const total = list.data?.activities.totalCount;
  const statuses = list.data?.gdprVocabulary.activityStatuses ?? [];
  const filtered = Boolean(search || status || dpiaRequired || sensitive);
  const allSelected = activities.length > 0 && activities.every((a) => selected.includes(a.id));

  return (
    <>
      <PageHeading title="Registre RGPD">
        {ctx.currentTenant ? `Registre des activités de traitement de ${ctx.currentTenant.name}.` : "Registres des activités de traitement de toutes les communes accessibles."}
      </PageHeading>
      {notice ? <Alert role="status" severity="success" small description={notice} className="fr-mb-3w" /> : null}
      {editable ? (
        <ul className="fr-btns-group fr-btns-group--inline-sm">
          <li>
            <Link className="fr-btn fr-icon-add-line fr-btn--icon-left" to="/registre/nouvelle">
              Nouveau traitement
            </Link>
          </li>
          <li>
            <Link className="fr-btn fr-btn--secondary fr-icon-upload-line fr-btn--icon-left" to="/registre/import-madis">
              Importer depuis MADIS
            </Link>
          </li>
        </ul>
      ) : null}

      <section aria-labelledby="filters-title" className="fr-mb-4w">
        <h2 id="filters-title" className="fr-h5">Filtrer</h2>
        <form onSubmit={applyFilters} role="search" aria-label="Filtrer le registre">
          <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
            <div className="fr-col-12 fr-col-md-5">
              <TextField id="filter-search" label="Rechercher un traitement" hint="Nom ou finalité" value={form.search}
                onChange={(v) => setForm({ ...form, search: v })} />
            </div>
            <div className="fr-col-12 fr-col-md-3">
              <SelectField id="filter-status" label="Statut" value={form.status} placeholder="Tous"
                options={statuses.map((s) => ({ value: s.code, label: s.label }))} onChange={(v) => setForm({ ...form, status: v })} />
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <CheckboxField id="filter-dpia" label="Analyse d'impact obligatoire" checked={form.dpiaRequired}
                onChange={(v) => setForm({ ...form, dpiaRequired: v })} />
              <CheckboxField id="filter-sensitive" label="Données sensibles" checked={form.sensitive}
                onChange={(v) => setForm({ ...form, sensitive: v })} />
            </div>
          </div>
          <ul className="fr-btns-group fr-btns-group--inline-sm fr-mt-2w">
            <li><button className="fr-btn fr-btn--secondary" type="submit">Appliquer les filtres</button></li>
            <li><button className="fr-btn fr-btn--tertiary" type="button" onClick={resetFilters}>Effacer les filtres</button></li>
          </ul>
        </form>
      </section>

      {columns.loaded ? (
        <ColumnChooser choices={columns.choices} visible={columns.visible} onSaved={(c) => columns.setChosen(c)} />
      ) : null}
      <ListExportButtons list="activities" what="le registre" columns={shown}
        filters={{ tenant: ctx.tenantIds ?? [], search: search || null, status: status || null, dpiaRequired: dpiaRequired || null, sensitive: sensitive || null, orderBy: SORTS[sort.by as SortKey], descending: sort.descending }} />
      <div aria-live="polite">
        {bulkNotice ? <Alert severity="success" small description={bulkNotice} className="fr-mb-2w" /> : null}
      </div>
      {list.error ? <QueryError error={list.error} /> : null}
      {list.loading && !list.data ? <Loading what="le registre" /> : null}
      <ResultCount total={total} list={pager} loading={list.loading} />
      {list.data && activities.length === 0 ? (
        <EmptyState>{filtered ? "Aucun traitement ne correspond à ces filtres." : "Le registre est vide."}</EmptyState>
      ) : null}
      {activities.length ? (
        <>
          <BulkBar selected={activities.filter((a) => selected.includes(a.id)).map((a) => ({ id: a.id, version: a.version, name: a.name }))}
            columns={columns.visible} editable={editable}
            onArchived={(m) => { setSelected([]); setBulkNotice(m); list.reload(); }} />
          <DataTable
            caption="Traitements du registre"
            captionHidden
            sort={{ keys: [null, ...shown.map((c) => SORT_OF[c] ?? null)], state: sort }}
            headers={[
              <div className="fr-checkbox-group fr-checkbox-group--sm" key="all">
                <input type="checkbox" id="select-all" checked={allSelected} onChange={(e) => setSelected(e.target.checked ? activities.map((a) => a.id) : [])} />
                <label className="fr-label" htmlFor="select-all">Tout sélectionner</label>
              </div>,
              ...shown.map((c) => HEADERS[c] ?? c),
            ]}
            rows={activities.map((a) => [
              <div className="fr-checkbox-group fr-checkbox-group--sm" key="s">
                <input type="checkbox" id={`select-${a.id}`} checked={selected.includes(a.id)}
                  onChange={(e) => setSelected((v) => (e.target.checked ? [...v, a.id] : v.filter((x) => x !== a.id)))} />
                <label className="fr-label" htmlFor={`select-${a.id}`}><span className="fr-sr-only">Sélectionner {a.name}</span></label>
              </div>,
              ...shown.map((c) => cell(c, a)),
            ])}
          />
        </>
      ) : null}
      <Pagination total={total} list={pager} label="Pages du registre" />
      {editable ? <ModelsSection /> : null}
    </>
  );
}

function ModelsSection() {
  const ctx = useAuthenticated();
  const navigate = useNavigate();
  const models = useQuery(ModelActivitiesQuery, {});
  const [error, setError] = useState<{ text: string | null; existingId: string | null } | null>(null);
  const tenantId = ctx.tenantId;
  if (models.error || !models.data || models.data.modelActivities.length === 0) return null;

  async function instantiate(modelId: string) {
    if (!tenantId) return;
    setError(null);
    try {
      const r = await request(InstantiateModelMutation, { modelId, tenantId });
      navigate(`/registre/${r.instantiateModel.id}`, {
        state: { notice: `Le modèle « ${r.instantiateModel.name} » a été copié dans le registre.` },
      });
    } catch (e) {
      // A model the commune already copied: the API names the copy, to open it instead.
      const existing = e instanceof GraphQLRequestError ? e.errors.find((x) => x.extensions?.code === "CONFLICT")?.extensions?.existingId : undefined;
      setError({ text: errorText(e), existingId: typeof existing === "string" ? existing : null });
    }
  }

  return (
    <section className="fr-mt-6w" aria-labelledby="models-title">
      <h2 id="models-title" className="fr-h4">Modèles de l'intercommunalité</h2>
      <p>Traitements types publiés par l'intercommunalité, à copier dans le registre d'une commune puis à adapter.</p>
      {!tenantId ? <p className="fr-text--sm">Choisissez une commune dans le sélecteur pour y copier un modèle.</p> : null}
      {error && (error.text || error.existingId) ? (
        <Alert severity="error" small className="fr-mb-2w"
          description={<>{error.text}{error.existingId ? <> <Link to={`/registre/${error.existingId}`}>Ouvrir la copie existante</Link></> : null}</>} />
      ) : null}
      <DataTable
        caption="Modèles de traitement"
        captionHidden
        headers={["Modèle", "Finalités", "Action"]}
        rows={models.data.modelActivities.map((m) => [
          m.name,
          m.purposes || "—",
          tenantId ? (
            <button type="button" className="fr-btn fr-btn--sm fr-btn--secondary" onClick={() => void instantiate(m.id)}>
              Copier dans le registre<span className="fr-sr-only"> : {m.name}</span>
            </button>
          ) : (
            "—"
          ),
        ])}
      />
    </section>
  );
}
