// Maturity: the questionnaires and their versions (the DPO and the DSI publish them), each
// commune's assessments with the change since the previous one, and for people who reach
// several communes their latest scores side by side. The council summary of the commune.
import { Link, useLocation } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { BarChart } from "../../components/BarChart";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatBp, formatBpChange, formatDate, formatDateTime, plural } from "../../format/fr";
import type { MaturityAssessmentsQuery as AssessmentsResult } from "../../gql/graphql";
import { MaturityAssessmentsQuery, MaturityQuestionnairesQuery } from "./maturityQueries";
import { CouncilSummaryLinks } from "./CouncilSummaryLinks";
import { usePeopleNames } from "../directory/usePeopleNames";

type Assessment = AssessmentsResult["maturityAssessments"][number];

function ChangeBadge({ bp }: { bp: number | null }) {
  if (bp === null) return <span className="fr-text--sm">première évaluation</span>;
  return (
    <Badge as="span" small noIcon severity={bp > 0 ? "success" : bp < 0 ? "error" : undefined}>
      {formatBpChange(bp)}
    </Badge>
  );
}

export function MaturityPage() {
  const ctx = useAuthenticated();
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const questionnaires = useQuery(MaturityQuestionnairesQuery, {});
  const assessments = useQuery(MaturityAssessmentsQuery, { tenantIds: ctx.tenantIds });
  const list = questionnaires.data?.maturityQuestionnaires ?? [];
  const titleOf = (id: string) => {
    const q = list.find((x) => x.id === id);
    return q ? `${q.title} (v${q.version})` : "—";
  };
  const commune = ctx.currentTenant && ctx.currentTenant.kind !== "organisation" ? ctx.currentTenant : null;
  const rows = assessments.data?.maturityAssessments ?? [];

  return (
    <>
      <PageHeading title="Maturité RGPD">
        {commune ? `Évaluations de ${commune.name}` : "Évaluations des communes"} par un questionnaire pondéré, et leur progression.
      </PageHeading>
      {notice ? <div><Alert severity="success" small description={notice} className="fr-mb-3w" /></div> : null}
      {commune ? <CouncilSummaryLinks tenantId={commune.id} tenantName={commune.name} /> : null}
      <ul className="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
        {can(ctx.roles, "assessMaturity") && list.length ? (
          <li>
            <Link className="fr-btn" to="/maturite/evaluation">
              {commune ? `Évaluer ${commune.name}` : "Évaluer une commune"}
            </Link>
          </li>
        ) : null}
        {can(ctx.roles, "publishMaturity") ? (
          <li>
            <Link className="fr-btn fr-btn--secondary fr-icon-add-line fr-btn--icon-left" to="/maturite/questionnaire">
              Nouveau questionnaire
            </Link>
          </li>
        ) : null}
      </ul>

      <h2 className="fr-h4 fr-mt-4w">Progression</h2>
      {assessments.error ? <QueryError error={assessments.error} /> : null}
      {assessments.loading && !assessments.data ? <Loading what="les évaluations" /> : null}
      {assessments.data && !rows.length ? <EmptyState>Aucune évaluation enregistrée.</EmptyState> : null}
      {rows.length ? (commune ? <CommuneProgress rows={rows} titleOf={titleOf} /> : <SideBySide rows={rows} titleOf={titleOf} />) : null}

      <h2 className="fr-h4 fr-mt-4w">Questionnaires</h2>
      {questionnaires.error ? <QueryError error={questionnaires.error} /> : null}
      {questionnaires.loading && !questionnaires.data ? <Loading what="les questionnaires" /> : null}
      {questionnaires.data && !list.length ? (
        <EmptyState>Aucun questionnaire publié{can(ctx.roles, "publishMaturity") ? " : créez le premier." : "."}</EmptyState>
      ) : null}
      {list.length ? (
        <DataTable
          caption="Versions des questionnaires"
          captionHidden
          headers={["Questionnaire", "Version", "Questions", "Thèmes", "Publiée le", ...(can(ctx.roles, "publishMaturity") ? ["Action"] : [])]}
          rows={list.map((q) => [
            q.title,
            `version ${q.version}`,
            String(q.questions.length),
            q.themes.join(", "),
            formatDateTime(q.publishedAt),
            ...(can(ctx.roles, "publishMaturity")
              ? [
                  <Link to={`/maturite/questionnaire?depuis=${q.id}`}>
                    Nouvelle version<span className="fr-sr-only"> de « {q.title} » à partir de la version {q.version}</span>
                  </Link>,
                ]
              : []),
          ])}
        />
      ) : null}
      {list.length ? <p className="fr-text--sm">Une version publiée ne change plus (lecture seule) ; la suivante se crée à partir d'elle.</p> : null}
    </>
  );
}

/** One commune: every assessment, oldest first in the chart, with the latest one's themes. */
function CommuneProgress({ rows, titleOf }: { rows: Assessment[]; titleOf: (id: string) => string }) {
  const who = usePeopleNames();
  const ordered = [...rows].sort((a, b) => a.assessedOn.localeCompare(b.assessedOn) || a.createdAt.localeCompare(b.createdAt));
  const last = ordered[ordered.length - 1]!;
  return (
    <>
      <p>
        Dernier score : <strong className="console-figure">{formatBp(last.scoreBp)}</strong> le {formatDate(last.assessedOn)}{" "}
        <ChangeBadge bp={last.changeBp} />
      </p>
      <BarChart
        title="Score de maturité à chaque évaluation"
        description="Score global de la commune (0 à 100 %) à chaque évaluation, de la plus ancienne à la plus récente."
        valueHeader="Score"
        max={10000}
        bars={ordered.map((a) => ({ label: `${formatDate(a.assessedOn)}`, value: a.scoreBp, display: formatBp(a.scoreBp), tone: "default" }))}
      />
      <BarChart
        title="Score par thème (dernière évaluation)"
        description={`Scores de chaque thème à l'évaluation du ${formatDate(last.assessedOn)} ; un thème entièrement sans objet n'a pas de score.`}
        valueHeader="Score"
        max={10000}
        bars={last.themes.map((t) => ({ label: t.theme, value: t.scoreBp ?? 0, display: t.scoreBp === null ? "sans objet" : formatBp(t.scoreBp) }))}
      />
      <DataTable
        caption="Évaluations de la commune"
        headers={["Date", "Questionnaire", "Score", "Évolution", "Enregistrée par", "Notes"]}
        rows={[...ordered].reverse().map((a) => [
          formatDate(a.assessedOn),
          titleOf(a.questionnaireId),
          formatBp(a.scoreBp),
          <ChangeBadge bp={a.changeBp} />,
          who(a.recordedBy),
          a.notes || "—",
        ])}
      />
    </>
  );
}

/** Several communes: each one's latest score, side by side. */
function SideBySide({ rows, titleOf }: { rows: Assessment[]; titleOf: (id: string) => string }) {
  const ctx = useAuthenticated();
  const latest = new Map<string, { last: Assessment; count: number }>();
  for (const a of rows) {
    const cur = latest.get(a.tenantId);
    const newer = !cur || a.assessedOn > cur.last.assessedOn || (a.assessedOn === cur.last.assessedOn && a.createdAt > cur.last.createdAt);
    latest.set(a.tenantId, { last: newer ? a : cur!.last, count: (cur?.count ?? 0) + 1 });
  }
  const communes = ctx.tenants.filter((t) => t.kind !== "organisation");
  const assessed = communes.filter((t) => latest.has(t.id));
  const mean = assessed.length ? Math.round(assessed.reduce((s, t) => s + latest.get(t.id)!.last.scoreBp, 0) / assessed.length) : null;
  return (
    <>
      <p>
        {plural(assessed.length, "commune évaluée", "communes évaluées")} sur {communes.length} ; score moyen{" "}
        <strong>{formatBp(mean)}</strong>.
      </p>
      <BarChart
        title="Dernier score de maturité par commune"
        description="Score de la dernière évaluation de chaque commune évaluée (0 à 100 %)."
        valueHeader="Dernier score"
        max={10000}
        bars={assessed.map((t) => {
          const l = latest.get(t.id)!.last;
          return { label: t.name, value: l.scoreBp, display: formatBp(l.scoreBp), tone: l.scoreBp >= 7500 ? "ok" : l.scoreBp < 4000 ? "alt" : "default" };
        })}
      />
      <DataTable
        caption="Maturité des communes"
        headers={["Commune", "Dernière évaluation", "Questionnaire", "Score", "Évolution", "Évaluations"]}
        rowHeaders
        rows={communes.map((t) => {
          const e = latest.get(t.id);
          return e
            ? [t.name, formatDate(e.last.assessedOn), titleOf(e.last.questionnaireId), formatBp(e.last.scoreBp), <ChangeBadge bp={e.last.changeBp} />, String(e.count)]
            : [t.name, "non évaluée", "—", "—", "—", "0"];
        })}
      />
    </>
  );
}
