// The end of a DPIA: sent to validation by the commune, the DPO's opinion (Art. 35(2)) and
// evaluation of the principles, the controller's decision (validated or refused, by whom).
import { useState } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { errorText } from "../../api/errorMessages";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { SelectField, TextAreaField, TextField } from "../../components/formFields";
import { formatDateTime } from "../../format/fr";
import type { DpiaDetailQuery } from "../../gql/graphql";
import { DecideDpiaMutation, DpiaOpinionMutation, SubmitDpiaMutation } from "./dpiaQueries";

type D = NonNullable<DpiaDetailQuery["dpia"]>;
type Term = { code: string; label: string };

export function WorkflowSection({ dpia: d, evaluationsVocab, onChange }: { dpia: D; evaluationsVocab: Term[]; onChange: () => void }) {
  const ctx = useAuthenticated();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [opinion, setOpinion] = useState(d.dpoOpinion);
  const [evals, setEvals] = useState<Record<string, string>>(
    Object.fromEntries(d.principles.map((p) => [p.principle.code, p.evaluation?.code ?? ""])),
  );
  const [decision, setDecision] = useState("validated");
  const [signatory, setSignatory] = useState("");
  const [comment, setComment] = useState("");
  const stage = d.stage.code;

  async function run(what: () => Promise<unknown>, ok: string) {
    setOutcome(null);
    try {
      await what();
      setOutcome({ ok: true, text: ok });
      onChange();
    } catch (err) {
      const text = errorText(err);
      setOutcome(text ? { ok: false, text } : null);
    }
  }

  return (
    <>
      {outcome ? (
        <div>
          <Alert role={outcome.ok ? "status" : "alert"} severity={outcome.ok ? "success" : "error"} small description={outcome.text} className="fr-mb-2w" />
        </div>
      ) : null}
      <dl className="console-facts">
        <dt>Étape</dt>
        <dd>{d.stage.label}</dd>
        <dt>Avis du DPO</dt>
        <dd>{d.dpoOpinion ? `${d.dpoOpinion} (${d.dpoOpinionBy ?? "DPO"}, ${formatDateTime(d.dpoOpinionAt)})` : "Pas encore donné"}</dd>
        <dt>Avis des personnes concernées</dt>
        <dd>{d.subjectsOpinion.sought ? `Recueilli : ${d.subjectsOpinion.summary}` : `Non recueilli : ${d.subjectsOpinion.reasonNotSought || "—"}`}</dd>
        <dt>Décision du responsable de traitement</dt>
        <dd>
          {d.decisionBy
            ? `${stage === "validated" ? "Validée" : "Refusée"} par ${d.decisionBy}, ${formatDateTime(d.decisionAt)}${d.decisionComment ? ` : ${d.decisionComment}` : ""}`
            : "En attente"}
        </dd>
        <dt>Consultation préalable de la CNIL</dt>
        <dd>{d.priorConsultationRequired ? "Requise (un risque résiduel reste élevé)" : "Non requise"}</dd>
      </dl>

      {can(ctx.roles, "editGdpr") && (stage === "draft" || stage === "refused") ? (
        <section aria-labelledby="dpia-submit-title" className="fr-mt-4w">
          <h3 id="dpia-submit-title" className="fr-h5">Soumettre pour validation</h3>
          <p>Le DPO donnera son avis, puis la commune validera ou refusera l'analyse.</p>
          <button type="button" className="fr-btn" onClick={() => void run(() => request(SubmitDpiaMutation, { id: d.id, version: d.version }), "Analyse soumise pour validation.")}>
            Soumettre pour validation
          </button>
        </section>
      ) : null}

      {can(ctx.roles, "checkGdpr") && stage !== "validated" && stage !== "refused" ? (
        <section aria-labelledby="dpia-opinion-title" className="fr-mt-4w">
          <h3 id="dpia-opinion-title" className="fr-h5">Avis du DPO</h3>
          <TextAreaField id="dpia-opinion" label="Avis du DPO (article 35.2)" value={opinion} onChange={setOpinion} rows={4} />
          {d.principles.map((p) => (
            <SelectField key={p.principle.code} id={`dpia-eval-${p.principle.code}`} label={`Évaluation : ${p.principle.label}`}
              value={evals[p.principle.code] ?? ""} placeholder="Non évalué"
              onChange={(v) => setEvals({ ...evals, [p.principle.code]: v })}
              options={evaluationsVocab.map((e) => ({ value: e.code, label: e.label }))} />
          ))}
          <button type="button" className="fr-btn"
            onClick={() => void run(() => request(DpiaOpinionMutation, {
              id: d.id,
              opinion,
              evaluations: Object.entries(evals).filter(([, e]) => e).map(([principle, evaluation]) => ({ principle, evaluation })),
            }), "Avis du DPO enregistré.")}>
            Enregistrer l'avis du DPO
          </button>
        </section>
      ) : null}

      {can(ctx.roles, "validateDpia") && stage === "in_validation" ? (
        <section aria-labelledby="dpia-decision-title" className="fr-mt-4w">
          <h3 id="dpia-decision-title" className="fr-h5">Décision du responsable de traitement</h3>
          <SelectField id="dpia-decision" label="Décision" value={decision} onChange={setDecision}
            options={[{ value: "validated", label: "Valider l'analyse" }, { value: "refused", label: "Refuser l'analyse" }]} />
          <TextField id="dpia-signatory" label="Décision prise par (nom et qualité)" value={signatory} onChange={setSignatory} />
          <TextAreaField id="dpia-comment" label="Commentaire (obligatoire pour un refus)" value={comment} onChange={setComment} />
          <button type="button" className="fr-btn"
            onClick={() => void run(() => request(DecideDpiaMutation, { id: d.id, decision, signatory, comment }),
              decision === "validated" ? "Analyse validée." : "Analyse refusée : elle revient à la commune.")}>
            Enregistrer la décision
          </button>
        </section>
      ) : null}
    </>
  );
}
