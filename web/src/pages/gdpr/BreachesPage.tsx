// Personal data breaches with the 72-hour clock of Art. 33: a live countdown while the
// notification is undecided, and the draft notification to the CNIL.
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { CheckboxField } from "../../components/formFields";
import { EmptyState } from "../../components/EmptyState";
import { Loading, QueryError } from "../../components/QueryStatus";
import { useNow } from "../../components/useNow";
import { PageHeading } from "../../layout/PageHeading";
import { ResultCount, Pagination, useListParams } from "../../components/ListPager";
import { formatCountdown, formatDateTime } from "../../format/fr";
import { BreachesQuery } from "./gdprQueries";

export function BreachesPage() {
  const ctx = useAuthenticated();
  const list = useListParams(20);
  const openOnly = list.get("a-decider") === "1";
  const q = useQuery(BreachesQuery, { tenantIds: ctx.tenantIds, openOnly, first: list.first, offset: list.offset });
  const now = useNow(30_000);
  const rows = q.data?.breaches.items ?? [];
  const total = q.data?.breaches.totalCount;
  return (
    <>
      <PageHeading title="Violations de données">
        Notification à la CNIL dans les 72 heures après en avoir pris connaissance (article 33 du RGPD).
      </PageHeading>
      <CheckboxField id="breaches-open" label="Violations à décider seulement (ni notifiées, ni documentées comme non notifiées)" checked={openOnly}
        onChange={(v) => list.update({ "a-decider": v ? "1" : null })} />
      {q.error ? <QueryError error={q.error} /> : null}
      {q.loading && !q.data ? <Loading what="les violations" /> : null}
      <ResultCount total={total} list={list} loading={q.loading} />
      {q.data && !rows.length ? <EmptyState>Aucune violation à afficher.</EmptyState> : null}
      {rows.map((b) => {
        const open = !b.notifiedAt && !b.notNotifiedReason;
        const secondsLeft = Math.round((Date.parse(b.notifyDeadline) - now) / 1000);
        return (
          <article key={b.id} className="fr-card fr-card--no-arrow fr-mb-3w">
            <div className="fr-card__body">
              <div className="fr-card__content">
                <h2 className="fr-card__title fr-h5">{b.title}</h2>
                <p className="fr-card__desc">
                  {ctx.tenantId ? null : <>{ctx.tenantName(b.tenantId)} · </>}
                  Connue le {formatDateTime(b.awareAt)} · gravité {b.severity.label.toLowerCase()} ·{" "}
                  {b.natures.map((n) => n.label).join(", ")}
                </p>
                <div className="fr-card__start">
                  {open ? (
                    <p className="fr-mb-1w">
                      <Badge as="span" severity={secondsLeft < 0 ? "error" : secondsLeft < 24 * 3600 ? "warning" : "info"}>
                        {secondsLeft < 0 ? "Délai de 72 h dépassé" : "À notifier"} : {formatCountdown(secondsLeft)}
                      </Badge>
                    </p>
                  ) : b.notifiedAt ? (
                    <p className="fr-mb-1w">
                      <Badge as="span" severity={b.notifiedLate ? "warning" : "success"}>
                        Notifiée le {formatDateTime(b.notifiedAt)}{b.notifiedLate ? " (hors délai)" : ""}
                      </Badge>
                    </p>
                  ) : (
                    <p className="fr-mb-1w">
                      <Badge as="span" severity="info" noIcon>Non notifiée : {b.notNotifiedReason}</Badge>
                    </p>
                  )}
                </div>
                <p className="fr-text--sm fr-mb-1w">Échéance de notification : {formatDateTime(b.notifyDeadline)}</p>
                <details>
                  <summary>Projet de notification à la CNIL (art. 33.3)</summary>
                  <pre className="console-pre fr-text--sm fr-mt-1w">{b.notificationDraft}</pre>
                </details>
              </div>
            </div>
          </article>
        );
      })}
      <Pagination total={total} list={list} label="Pages des violations" />
    </>
  );
}
