// Personal data breaches with the 72-hour clock of Art. 33: a live countdown while the
// notification is undecided, the draft notification to the CNIL, the decision, and the
// declaration of a new breach.
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { CheckboxField } from "../../components/formFields";
import { EmptyState } from "../../components/EmptyState";
import { Loading, QueryError } from "../../components/QueryStatus";
import { useNow } from "../../components/useNow";
import { PageHeading } from "../../layout/PageHeading";
import { can } from "../../auth/roles";
import { ResultCount, Pagination, useListParams } from "../../components/ListPager";
import { BreachCard } from "./BreachCard";
import { DeclareBreachForm } from "./DeclareBreachForm";
import { BreachesQuery } from "./gdprQueries";
import { ListExportButtons } from "../../components/listExport";

export function BreachesPage() {
  const ctx = useAuthenticated();
  const list = useListParams(20);
  const openOnly = list.get("a-decider") === "1";
  const q = useQuery(BreachesQuery, { tenantIds: ctx.tenantIds, openOnly, first: list.first, offset: list.offset });
  const now = useNow(30_000);
  const rows = q.data?.breaches.items ?? [];
  const total = q.data?.breaches.totalCount;
  const canEdit = can(ctx.roles, "editGdpr");
  return (
    <>
      <PageHeading title="Violations de données">
        Notification à la CNIL dans les 72 heures après en avoir pris connaissance (article 33 du RGPD).
      </PageHeading>
      <CheckboxField id="breaches-open" label="Violations à décider seulement (ni notifiées, ni documentées comme non notifiées)" checked={openOnly}
        onChange={(v) => list.update({ "a-decider": v ? "1" : null })} />
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les violations" /> : null}
      <ListExportButtons list="breaches" what="les violations" filters={{ tenant: ctx.tenantIds ?? [], openOnly }} />
      <ResultCount total={total} list={list} loading={q.loading} />
      {q.data && !rows.length ? <EmptyState>Aucune violation à afficher.</EmptyState> : null}
      {rows.map((b) => (
        <BreachCard key={b.id} b={b} now={now} tenantName={ctx.tenantId ? null : ctx.tenantName(b.tenantId)} canDecide={canEdit} onDecided={q.reload} />
      ))}
      <Pagination total={total} list={list} label="Pages des violations" />
      {canEdit ? (
        <DeclareBreachForm onCreated={q.reload} />
      ) : (
        <p className="fr-mt-4w">Lecture seule : votre rôle ne permet pas de déclarer une violation ni de décider de sa notification.</p>
      )}
    </>
  );
}
