// The DPIA as the console edits it (strings for every field), and back to the API's input.
import type { DpiaDetailQuery as Detail, DpiaInput } from "../../gql/graphql";

export type MeasureDraft = { id: string | null; title: string; state: string; dueOn: string; action: string | null };
export type RiskDraft = {
  kind: string;
  label: string;
  sources: string;
  threats: string;
  impacts: string;
  severity: string;
  likelihood: string;
  residualSeverity: string;
  residualLikelihood: string;
  measures: MeasureDraft[];
};
export type DpiaDraft = {
  overview: string;
  dataProcessed: string;
  lifecycle: string;
  supports: { kind: string; description: string }[];
  principles: { code: string; label: string; justification: string }[];
  sought: boolean;
  summary: string;
  reasonNotSought: string;
  risks: RiskDraft[];
};

type D = NonNullable<Detail["dpia"]>;

const level = (n: number | null | undefined) => (n == null ? "" : String(n));

export function draftOf(d: D): DpiaDraft {
  return {
    overview: d.context.overview,
    dataProcessed: d.context.dataProcessed,
    lifecycle: d.context.lifecycle,
    supports: d.context.supports.map((s) => ({ kind: s.kind.code, description: s.description })),
    principles: d.principles.map((p) => ({ code: p.principle.code, label: p.principle.label, justification: p.justification })),
    sought: d.subjectsOpinion.sought,
    summary: d.subjectsOpinion.summary,
    reasonNotSought: d.subjectsOpinion.reasonNotSought,
    risks: d.risks.map((r) => ({
      kind: r.kind.code,
      label: r.kind.label,
      sources: r.sources,
      threats: r.threats,
      impacts: r.impacts,
      severity: level(r.severity),
      likelihood: level(r.likelihood),
      residualSeverity: level(r.residualSeverity),
      residualLikelihood: level(r.residualLikelihood),
      measures: r.measures.map((m) => ({
        id: m.id,
        title: m.title,
        state: m.state.code,
        dueOn: m.action?.dueOn ?? "",
        action: m.action ? `${m.action.title} (${m.action.status.label.toLowerCase()})` : null,
      })),
    })),
  };
}

const num = (s: string) => (s === "" ? null : Number(s));

export function inputOf(d: DpiaDraft, version: number): DpiaInput {
  return {
    version,
    context: { overview: d.overview, dataProcessed: d.dataProcessed, lifecycle: d.lifecycle, supports: d.supports },
    principles: d.principles.map((p) => ({ principle: p.code, justification: p.justification })),
    subjectsOpinion: { sought: d.sought, summary: d.summary, reasonNotSought: d.reasonNotSought },
    risks: d.risks.map((r) => ({
      kind: r.kind,
      sources: r.sources,
      threats: r.threats,
      impacts: r.impacts,
      severity: num(r.severity),
      likelihood: num(r.likelihood),
      residualSeverity: num(r.residualSeverity),
      residualLikelihood: num(r.residualLikelihood),
      measures: r.measures.map((m) => ({ id: m.id, title: m.title, state: m.state, dueOn: m.dueOn || null })),
    })),
  };
}
