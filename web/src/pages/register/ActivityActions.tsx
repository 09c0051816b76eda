// The action plan of one activity: what remains to do to bring it into compliance, by when;
// each item changed, marked done, or added here.
import { useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { request } from "../../api/graphqlClient";
import { errorText, splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { ErrorSummary, TextField } from "../../components/formFields";
import { DataTable } from "../../components/DataTable";
import { Loading, QueryError } from "../../components/QueryStatus";
import { formatDate, today } from "../../format/fr";
import {
  ActivityActionsQuery,
  CompleteActivityActionMutation,
  CreateActivityActionMutation,
  UpdateActivityActionMutation,
} from "./activityLifecycleQueries";

type Outcome = { ok: boolean; text: string } | null;

export function ActivityActions({ activityId, editable, readOnlyReason }: { activityId: string; editable: boolean; readOnlyReason: string }) {
  const q = useQuery(ActivityActionsQuery, { id: activityId });
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const activity = q.data?.activity;

  async function complete(id: string, title: string) {
    setOutcome(null);
    try {
      await request(CompleteActivityActionMutation, { id });
      setOutcome({ ok: true, text: `Action « ${title} » faite.` });
      q.reload();
    } catch (err) {
      const text = errorText(err);
      setOutcome(text ? { ok: false, text } : null);
    }
  }

  return (
    <section className="fr-mt-6w" aria-labelledby="actions-title">
      <h2 id="actions-title" className="fr-h4">Plan d'action</h2>
      <p className="fr-text--sm">Ce qu'il reste à faire pour mettre ce traitement en conformité, et pour quand.</p>
      {outcome ? (
        <div>
          <Alert role={outcome.ok ? "status" : "alert"} severity={outcome.ok ? "success" : "error"} small description={outcome.text} className="fr-mb-2w" />
        </div>
      ) : null}
      {q.error ? <QueryError error={q.error} /> : null}
      {!activity ? (
        q.error ? null : <Loading what="le plan d'action" />
      ) : (
        <>
          {activity.actions.length ? (
            <DataTable
              caption="Plan d'action du traitement"
              captionHidden
              headers={["Action", "Échéance", "État", ...(editable ? ["Gérer"] : [])]}
              rows={activity.actions.map((a) => [
                editing === a.id ? (
                  <EditAction key="edit" id={a.id} title={a.title} dueOn={a.dueOn}
                    onDone={(text) => { setEditing(null); setOutcome({ ok: true, text }); q.reload(); }}
                    onCancel={() => setEditing(null)} />
                ) : (
                  a.title
                ),
                formatDate(a.dueOn),
                a.status.code === "done" ? (
                  <Badge key="s" as="span" small severity="success">{`Fait le ${formatDate(a.doneOn)}`}</Badge>
                ) : a.overdue ? (
                  <Badge key="s" as="span" small severity="error">En retard</Badge>
                ) : (
                  <Badge key="s" as="span" small noIcon>{a.status.label}</Badge>
                ),
                ...(editable
                  ? [
                      a.status.code === "done" || editing === a.id ? (
                        "—"
                      ) : (
                        <ul key="b" className="fr-btns-group fr-btns-group--sm fr-btns-group--inline">
                          <li>
                            <button type="button" className="fr-btn fr-btn--sm fr-btn--secondary" onClick={() => void complete(a.id, a.title)}>
                              Marquer comme faite<span className="fr-sr-only"> : {a.title}</span>
                            </button>
                          </li>
                          <li>
                            <button type="button" className="fr-btn fr-btn--sm fr-btn--tertiary" onClick={() => { setOutcome(null); setEditing(a.id); }}>
                              Modifier<span className="fr-sr-only"> : {a.title}</span>
                            </button>
                          </li>
                        </ul>
                      ),
                    ]
                  : []),
              ])}
            />
          ) : (
            <p>Aucune action prévue pour ce traitement.</p>
          )}
          {editable ? (
            <NewAction tenantId={activity.tenantId} activityId={activityId}
              onStart={() => setOutcome(null)}
              onDone={(text) => { setOutcome({ ok: true, text }); q.reload(); }} />
          ) : (
            <p className="fr-text--sm">{readOnlyReason}</p>
          )}
        </>
      )}
    </section>
  );
}

function NewAction({ tenantId, activityId, onStart, onDone }: { tenantId: string; activityId: string; onStart: () => void; onDone: (t: string) => void }) {
  const [title, setTitle] = useState("");
  const [dueOn, setDueOn] = useState(today());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    onStart();
    setGeneral([]);
    const local: Record<string, string> = {};
    if (!title.trim()) local.title = "Indiquez ce qu'il faut faire.";
    if (!dueOn) local.dueOn = "Indiquez l'échéance.";
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      await request(CreateActivityActionMutation, { tenantId, activityId, title, dueOn });
      onDone(`Action « ${title.trim()} » ajoutée au plan.`);
      setTitle("");
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="fr-mt-3w" aria-labelledby="new-action-title">
      <h3 id="new-action-title" className="fr-h6">Ajouter une action</h3>
      <ErrorSummary errors={errors} general={general} labels={{ title: "Action à mener", dueOn: "Échéance de l'action" }} />
      <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
        <div className="fr-col-12 fr-col-md-7">
          <TextField id="field-title" label="Action à mener" required value={title} onChange={setTitle} error={errors.title} />
        </div>
        <div className="fr-col-12 fr-col-md-5">
          <TextField id="field-dueOn" type="date" label="Échéance de l'action" required value={dueOn} onChange={setDueOn} error={errors.dueOn} />
        </div>
      </div>
      <button className="fr-btn fr-btn--secondary" type="submit">Ajouter l'action</button>
    </form>
  );
}

function EditAction({ id, title: initialTitle, dueOn: initialDue, onDone, onCancel }: { id: string; title: string; dueOn: string; onDone: (t: string) => void; onCancel: () => void }) {
  const [title, setTitle] = useState(initialTitle);
  const [dueOn, setDueOn] = useState(initialDue);
  const [error, setError] = useState<Record<string, string>>({});

  async function save(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!title.trim()) local.title = "Indiquez ce qu'il faut faire.";
    if (!dueOn) local.dueOn = "Indiquez l'échéance.";
    setError(local);
    if (Object.keys(local).length) return;
    try {
      await request(UpdateActivityActionMutation, { id, title, dueOn });
      onDone(`Action « ${title.trim()} » modifiée.`);
    } catch (err) {
      const s = splitFieldErrors(err);
      setError(Object.keys(s.fields).length ? s.fields : { title: s.general.join(" ") });
    }
  }

  return (
    <form onSubmit={save} noValidate aria-label={`Modifier l'action « ${initialTitle} »`}>
      <TextField id={`action-${id}-title`} label="Action" value={title} onChange={setTitle} error={error.title} />
      <TextField id={`action-${id}-dueOn`} type="date" label="Échéance" value={dueOn} onChange={setDueOn} error={error.dueOn} />
      <ul className="fr-btns-group fr-btns-group--sm fr-btns-group--inline">
        <li><button type="submit" className="fr-btn fr-btn--sm">Enregistrer l'action</button></li>
        <li><button type="button" className="fr-btn fr-btn--sm fr-btn--tertiary" onClick={onCancel}>Annuler</button></li>
      </ul>
    </form>
  );
}
