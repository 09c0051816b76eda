// A commune's contracts (or every commune's, for the DSI): the renewals to decide first, with
// the last day to give notice, then every contract with its amendments.
import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { SelectField, TextField } from "../../components/formFields";
import { Pagination, ResultCount, useListParams, useSort } from "../../components/ListPager";
import { can } from "../../auth/roles";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatCents, formatDate, formatDaysLeft, plural } from "../../format/fr";
import type { ContractFieldsFragment } from "../../gql/graphql";
import { ContractsQuery } from "./procurementQueries";
import { categoryLabels, contractStatusLabels, daysUntil } from "./procurementLabels";

/** Sort keys in the address, and the API's columns. */
const SORTS = { reference: "REFERENCE", objet: "OBJECT", montant: "AWARDED_CENTS", fin: "END_ON", statut: "STATUS" } as const;
type SortKey = keyof typeof SORTS;

export function ContractsPage() {
  const ctx = useAuthenticated();
  const list = useListParams();
  const sort = useSort(list, "reference", Object.keys(SORTS));
  const status = list.get("statut");
  const search = list.get("q");
  const [searchText, setSearchText] = useState(search);
  const withinDays = [30, 90, 180, 365].includes(Number(list.get("dans"))) ? Number(list.get("dans")) : 180;
  const q = useQuery(ContractsQuery, {
    tenantIds: ctx.tenantIds,
    status: status || null,
    search: search || null,
    orderBy: SORTS[sort.by as SortKey],
    descending: sort.descending,
    first: list.first,
    offset: list.offset,
    withinDays,
  });
  const suppliers = new Map((q.data?.suppliers ?? []).map((s) => [s.id, s.name]));
  const inScope = (c: ContractFieldsFragment) => !ctx.tenantId || c.tenantId === ctx.tenantId;
  const expiring = [...(q.data?.contractsExpiring ?? [])]
    .filter(inScope)
    .sort((a, b) => (a.noticeDeadline ?? a.endOn ?? "").localeCompare(b.noticeDeadline ?? b.endOn ?? ""));
  const contracts = q.data?.contracts.items ?? [];
  const total = q.data?.contracts.totalCount;
  const oneCommune = !!ctx.tenantId;
  const supplierNames = (c: ContractFieldsFragment) => c.supplierIds.map((id) => suppliers.get(id) ?? "—").join(", ") || "—";

  return (
    <>
      <PageHeading title="Contrats et renouvellements">
        {ctx.currentTenant ? `Marchés de ${ctx.currentTenant.name}` : "Marchés des communes"} : reconductions à décider, préavis, avenants.
      </PageHeading>
      {can(ctx.roles, "editProcurement") ? (
        <p>
          <Link className="fr-btn fr-icon-add-line fr-btn--icon-left" to="/contrats/nouveau">
            Nouveau contrat
          </Link>
        </p>
      ) : null}
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les contrats" /> : null}

      <h2 className="fr-h4">Renouvellements à décider</h2>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <SelectField id="contracts-within" label="Échéance dans les" value={String(withinDays)} onChange={(v) => list.update({ dans: v === "180" ? null : v })}
            options={[30, 90, 180, 365].map((d) => ({ value: String(d), label: `${d} jours` }))} />
        </div>
      </div>
      <p role="status" aria-live="polite" className="fr-text--sm">
        {q.data ? `${plural(expiring.length, "contrat")} à reconduire ou à remettre en concurrence dans les ${withinDays} jours.` : ""}
      </p>
      {q.data && !expiring.length ? <EmptyState>Aucune reconduction ni fin de contrat dans cette période.</EmptyState> : null}
      {expiring.length ? (
        <DataTable
          caption="Renouvellements à décider"
          captionHidden
          headers={["Contrat", ...(oneCommune ? [] : ["Commune"]), "Titulaire", "Prochaine échéance", "Préavis de non-reconduction", "Fin (toutes reconductions)"]}
          rows={expiring.map((c) => {
            const left = c.noticeDeadline ? daysUntil(c.noticeDeadline) : null;
            return [
              <>
                <strong>{c.reference}</strong>
                <span className="fr-hint-text">{c.object}</span>
              </>,
              ...(oneCommune ? [] : [ctx.tenantName(c.tenantId)]),
              supplierNames(c),
              c.nextRenewalOn ? formatDate(c.nextRenewalOn) : "dernière période (plus de reconduction)",
              c.noticeDeadline ? (
                <>
                  {formatDate(c.noticeDeadline)}
                  <span className="fr-hint-text">{c.noticeDays} jours avant l'échéance</span>
                  <Badge as="span" small severity={left! < 0 ? "error" : left! <= 30 ? "warning" : "info"}>
                    {formatDaysLeft(left!)}
                  </Badge>
                </>
              ) : (
                "—"
              ),
              formatDate(c.endOn),
            ];
          })}
        />
      ) : null}

      <h2 className="fr-h4 fr-mt-6w">Tous les contrats</h2>
      <form
        role="search"
        aria-label="Rechercher un contrat"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          list.update({ q: searchText.trim() });
        }}
      >
        <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div className="fr-col-12 fr-col-md-5">
            <TextField id="contracts-search" label="Rechercher" hint="Référence, objet, code ou libellé CPV (accents et majuscules ignorés)"
              value={searchText} onChange={setSearchText} />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <SelectField id="contracts-status" label="Statut" value={status} onChange={(v) => list.update({ statut: v })} placeholder="Tous les statuts"
              options={Object.entries(contractStatusLabels).map(([value, label]) => ({ value, label }))} />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <ul className="fr-btns-group fr-btns-group--inline-sm">
              <li><button className="fr-btn fr-btn--secondary" type="submit">Rechercher</button></li>
              {search ? (
                <li><button className="fr-btn fr-btn--tertiary" type="button" onClick={() => { setSearchText(""); list.update({ q: null }); }}>Effacer la recherche</button></li>
              ) : null}
            </ul>
          </div>
        </div>
      </form>
      <ResultCount total={total} list={list} loading={q.loading} />
      {q.data && !contracts.length ? <EmptyState>Aucun contrat.</EmptyState> : null}
      {contracts.length ? (
        <DataTable
          caption="Contrats"
          captionHidden
          sort={{ keys: ["reference", ...(oneCommune ? [] : [null]), "objet", null, "montant", "fin", "statut", null], state: sort }}
          headers={["Référence", ...(oneCommune ? [] : ["Commune"]), "Objet", "Catégorie / CPV", "Montant", "Durée et fin", "Statut", "Avenants"]}
          rows={contracts.map((c) => [
            <Link to={`/contrats/${c.id}`}>{c.reference}</Link>,
            ...(oneCommune ? [] : [ctx.tenantName(c.tenantId)]),
            <>
              {c.object}
              <span className="fr-hint-text">{supplierNames(c)}{c.joint ? " · groupement de commandes" : ""}</span>
            </>,
            <>
              {categoryLabels[c.category] ?? c.category}
              <span className="fr-hint-text">{c.cpv.code} {c.cpv.label}</span>
            </>,
            <span className="console-nowrap">
              {formatCents(c.awardedCents ?? c.estimatedCents)}
              {c.awardedCents === null ? <span className="fr-hint-text">estimé</span> : null}
              {c.initialAwardedCents !== null && c.awardedCents !== c.initialAwardedCents ? (
                <span className="fr-hint-text">initial {formatCents(c.initialAwardedCents)}</span>
              ) : null}
            </span>,
            <>
              {c.durationMonths} mois
              {c.renewals ? <span className="fr-hint-text">{plural(c.renewals, "reconduction")} de {c.renewalMonths} mois (max. {c.maxDurationMonths} mois)</span> : null}
              {c.notifiedOn ? <span className="fr-hint-text">notifié le {formatDate(c.notifiedOn)}</span> : null}
              {c.endOn ? <span className="fr-hint-text">fin le {formatDate(c.endOn)}</span> : null}
            </>,
            <Badge as="span" small noIcon severity={c.status === "active" ? "success" : c.status === "expired" ? undefined : "info"}>
              {contractStatusLabels[c.status] ?? c.status}
            </Badge>,
            c.amendments.length ? (
              <details>
                <summary>
                  {plural(c.amendments.length, "avenant")}
                  <span className="fr-sr-only"> du contrat {c.reference}</span>
                </summary>
                <ul className="fr-text--sm fr-mb-0">
                  {c.amendments.map((a) => (
                    <li key={a.id}>
                      {formatDate(a.signedOn)} : {a.object}
                      {a.lot !== null ? ` (lot ${a.lot})` : ""}
                      {a.awardedCents !== null ? `, montant porté à ${formatCents(a.awardedCents)}` : ""}
                      {a.durationMonths !== null ? `, durée ${a.durationMonths} mois` : ""}
                    </li>
                  ))}
                </ul>
              </details>
            ) : (
              "—"
            ),
          ])}
        />
      ) : null}
      <Pagination total={total} list={list} label="Pages des contrats" />
    </>
  );
}
