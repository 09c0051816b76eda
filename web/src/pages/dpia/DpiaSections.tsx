// The sections of a DPIA the commune writes: context, fundamental principles, risks (with
// their measures; a planned measure joins the action plan on saving).
import { CheckboxField, SelectField, TextAreaField, TextField } from "../../components/formFields";
import type { DpiaDraft, RiskDraft } from "./dpiaDraft";

type Term = { code: string; label: string };
type Props = { draft: DpiaDraft; set: (d: DpiaDraft) => void; editable: boolean };

function Text({ id, label, value, onChange, editable, rows = 3 }: {
  id: string; label: string; value: string; onChange: (v: string) => void; editable: boolean; rows?: number;
}) {
  if (!editable) {
    return (
      <div className="fr-mb-2w">
        <p className="fr-text--bold fr-mb-0">{label}</p>
        <p className="console-prewrap">{value || "—"}</p>
      </div>
    );
  }
  return <TextAreaField id={id} label={label} value={value} onChange={onChange} rows={rows} />;
}

export function ContextSection({ draft, set, editable, supportKinds }: Props & { supportKinds: Term[] }) {
  const label = (code: string) => supportKinds.find((k) => k.code === code)?.label ?? code;
  return (
    <>
      <Text id="dpia-overview" label="Présentation du traitement (finalités, enjeux)" value={draft.overview}
        onChange={(v) => set({ ...draft, overview: v })} editable={editable} rows={4} />
      <Text id="dpia-data" label="Données traitées (catégories, destinataires, durées)" value={draft.dataProcessed}
        onChange={(v) => set({ ...draft, dataProcessed: v })} editable={editable} rows={4} />
      <Text id="dpia-lifecycle" label="Cycle de vie des données (collecte, usage, conservation, effacement)" value={draft.lifecycle}
        onChange={(v) => set({ ...draft, lifecycle: v })} editable={editable} />
      <h3 className="fr-h6">Supports des données</h3>
      {!draft.supports.length ? <p>Aucun support décrit.</p> : null}
      {draft.supports.map((s, i) =>
        editable ? (
          <div key={i} className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
            <div className="fr-col-12 fr-col-md-3">
              <SelectField id={`dpia-support-kind-${i}`} label={`Type du support ${i + 1}`} value={s.kind}
                onChange={(v) => set({ ...draft, supports: draft.supports.map((x, j) => (j === i ? { ...x, kind: v } : x)) })}
                options={supportKinds.map((k) => ({ value: k.code, label: k.label }))} />
            </div>
            <div className="fr-col-12 fr-col-md-7">
              <TextField id={`dpia-support-${i}`} label={`Description du support ${i + 1}`} value={s.description}
                onChange={(v) => set({ ...draft, supports: draft.supports.map((x, j) => (j === i ? { ...x, description: v } : x)) })} />
            </div>
            <div className="fr-col-12 fr-col-md-2">
              <button type="button" className="fr-btn fr-btn--tertiary fr-btn--sm fr-mb-3w"
                onClick={() => set({ ...draft, supports: draft.supports.filter((_, j) => j !== i) })}>
                Retirer le support {i + 1}
              </button>
            </div>
          </div>
        ) : (
          <p key={i}><strong>{label(s.kind)} :</strong> {s.description}</p>
        ),
      )}
      {editable ? (
        <button type="button" className="fr-btn fr-btn--secondary fr-btn--sm"
          onClick={() => set({ ...draft, supports: [...draft.supports, { kind: supportKinds[0]?.code ?? "hardware", description: "" }] })}>
          Ajouter un support
        </button>
      ) : null}
    </>
  );
}

export function PrinciplesSection({ draft, set, editable, evaluations }: Props & {
  evaluations: Record<string, { evaluation: Term | null; dpoComment: string }>;
}) {
  return (
    <>
      <p>
        Pour chaque principe, la commune justifie les choix faits ; le DPO les évalue (acceptable ou améliorable).
      </p>
      {draft.principles.map((p, i) => {
        const e = evaluations[p.code];
        return (
          <div key={p.code} className="fr-mb-3w">
            <Text id={`dpia-principle-${p.code}`} label={p.label} value={p.justification} editable={editable}
              onChange={(v) => set({ ...draft, principles: draft.principles.map((x, j) => (j === i ? { ...x, justification: v } : x)) })} />
            <p className="fr-text--sm fr-mb-0">
              Évaluation du DPO : {e?.evaluation ? e.evaluation.label : "pas encore évalué"}
              {e?.dpoComment ? ` — ${e.dpoComment}` : ""}
            </p>
          </div>
        );
      })}
      <h3 className="fr-h6">Avis des personnes concernées (article 35.9)</h3>
      {editable ? (
        <>
          <CheckboxField id="dpia-sought" label="L'avis des personnes concernées a été recueilli" checked={draft.sought}
            onChange={(v) => set({ ...draft, sought: v })} />
          {draft.sought ? (
            <TextAreaField id="dpia-summary" label="Ce qu'elles ont dit" value={draft.summary} onChange={(v) => set({ ...draft, summary: v })} />
          ) : (
            <TextAreaField id="dpia-reason" label="Pourquoi leur avis n'a pas été recueilli" value={draft.reasonNotSought}
              onChange={(v) => set({ ...draft, reasonNotSought: v })} />
          )}
        </>
      ) : (
        <p>{draft.sought ? `Recueilli : ${draft.summary}` : `Non recueilli : ${draft.reasonNotSought || "—"}`}</p>
      )}
    </>
  );
}

const levelName: Record<string, string> = { "1": "Négligeable", "2": "Limitée", "3": "Importante", "4": "Maximale" };

function Level({ id, label, value, onChange, editable, levels }: {
  id: string; label: string; value: string; onChange: (v: string) => void; editable: boolean; levels: Term[];
}) {
  if (!editable) return <p className="fr-mb-1w">{label} : {value ? `${value} – ${levelName[value]}` : "non évaluée"}</p>;
  return (
    <SelectField id={id} label={label} value={value} onChange={onChange} placeholder="Non évaluée"
      options={levels.map((l) => ({ value: l.code, label: `${l.code} – ${l.label}` }))} />
  );
}

function RiskEditor({ risk, onChange, editable, levels, states, residualHigh }: {
  risk: RiskDraft; onChange: (r: RiskDraft) => void; editable: boolean; levels: Term[]; states: Term[]; residualHigh: boolean;
}) {
  const k = risk.kind;
  const setMeasure = (i: number, m: Partial<RiskDraft["measures"][number]>) =>
    onChange({ ...risk, measures: risk.measures.map((x, j) => (j === i ? { ...x, ...m } : x)) });
  return (
    <section aria-labelledby={`risk-${k}-title`} className="fr-mb-6w">
      <h3 id={`risk-${k}-title`} className="fr-h5">{risk.label}</h3>
      <Text id={`risk-${k}-sources`} label="Sources de risque" value={risk.sources} editable={editable} onChange={(v) => onChange({ ...risk, sources: v })} />
      <Text id={`risk-${k}-threats`} label="Menaces" value={risk.threats} editable={editable} onChange={(v) => onChange({ ...risk, threats: v })} />
      <Text id={`risk-${k}-impacts`} label="Impacts potentiels sur les personnes" value={risk.impacts} editable={editable} onChange={(v) => onChange({ ...risk, impacts: v })} />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <Level id={`risk-${k}-severity`} label="Gravité" value={risk.severity} editable={editable} levels={levels} onChange={(v) => onChange({ ...risk, severity: v })} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Level id={`risk-${k}-likelihood`} label="Vraisemblance" value={risk.likelihood} editable={editable} levels={levels} onChange={(v) => onChange({ ...risk, likelihood: v })} />
        </div>
      </div>
      <h4 className="fr-h6">Mesures</h4>
      {!risk.measures.length ? <p>Aucune mesure.</p> : null}
      {risk.measures.map((m, i) =>
        editable ? (
          <fieldset key={m.id ?? `new-${i}`} className="fr-fieldset" aria-label={`Mesure ${i + 1} contre : ${risk.label}`}>
            <div className="fr-fieldset__element">
              <TextField id={`risk-${k}-measure-${i}-title`} label={`Mesure ${i + 1}`} value={m.title} onChange={(v) => setMeasure(i, { title: v })} />
            </div>
            <div className="fr-fieldset__element fr-fieldset__element--inline">
              <SelectField id={`risk-${k}-measure-${i}-state`} label="État" value={m.state} onChange={(v) => setMeasure(i, { state: v })}
                options={states.map((s) => ({ value: s.code, label: s.label }))} />
            </div>
            {m.state === "planned" ? (
              <div className="fr-fieldset__element fr-fieldset__element--inline">
                <TextField id={`risk-${k}-measure-${i}-due`} type="date" label="Échéance (plan d'action)" value={m.dueOn} onChange={(v) => setMeasure(i, { dueOn: v })} />
              </div>
            ) : null}
            {m.action ? <p className="fr-text--sm fr-fieldset__element">Dans le plan d'action : {m.action}</p> : null}
            <div className="fr-fieldset__element">
              <button type="button" className="fr-btn fr-btn--tertiary fr-btn--sm"
                onClick={() => onChange({ ...risk, measures: risk.measures.filter((_, j) => j !== i) })}>
                Retirer la mesure {i + 1}
              </button>
            </div>
          </fieldset>
        ) : (
          <p key={m.id ?? i} className="fr-mb-1w">
            {m.title} ({states.find((s) => s.code === m.state)?.label.toLowerCase() ?? m.state})
            {m.action ? ` — plan d'action : ${m.action}` : ""}
          </p>
        ),
      )}
      {editable ? (
        <button type="button" className="fr-btn fr-btn--secondary fr-btn--sm fr-mb-3w"
          onClick={() => onChange({ ...risk, measures: [...risk.measures, { id: null, title: "", state: "planned", dueOn: "", action: null }] })}>
          Ajouter une mesure contre ce risque
        </button>
      ) : null}
      <h4 className="fr-h6">Risque résiduel (après les mesures)</h4>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <Level id={`risk-${k}-residual-severity`} label="Gravité résiduelle" value={risk.residualSeverity} editable={editable} levels={levels}
            onChange={(v) => onChange({ ...risk, residualSeverity: v })} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Level id={`risk-${k}-residual-likelihood`} label="Vraisemblance résiduelle" value={risk.residualLikelihood} editable={editable} levels={levels}
            onChange={(v) => onChange({ ...risk, residualLikelihood: v })} />
        </div>
      </div>
      {residualHigh ? <p className="fr-message fr-message--error">Risque résiduel élevé.</p> : null}
    </section>
  );
}

export function RisksSection({ draft, set, editable, levels, states, highKinds }: Props & { levels: Term[]; states: Term[]; highKinds: string[] }) {
  return (
    <>
      <p>
        Chaque risque est apprécié sur les échelles de la CNIL (1 Négligeable, 2 Limitée, 3 Importante, 4 Maximale),
        avant puis après les mesures. Une mesure prévue rejoint le plan d'action du traitement à l'enregistrement.
      </p>
      {draft.risks.map((r, i) => (
        <RiskEditor key={r.kind} risk={r} editable={editable} levels={levels} states={states} residualHigh={highKinds.includes(r.kind)}
          onChange={(x) => set({ ...draft, risks: draft.risks.map((y, j) => (j === i ? x : y)) })} />
      ))}
    </>
  );
}
