// Create or edit a register entry. The draft lives here: an API error keeps every typed value
// and puts each field error next to its field (and in a summary linking to them).
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors, errorText } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { ErrorSummary, SelectField } from "../../components/formFields";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatDateTime } from "../../format/fr";
import { ActivityForm, fieldLabels } from "./ActivityForm";
import { checkDraft, draftFromActivity, draftToInput, emptyDraft, type ActivityDraft } from "./activityDraft";
import {
  ActivityDetailQuery,
  ActivityEditorDataQuery,
  CreateActivityMutation,
  SetActivityStatusMutation,
  UpdateActivityMutation,
} from "./activityQueries";
import { dpiaLabel } from "./registerLabels";
import { ActivityActions } from "./ActivityActions";
import { ActivityLifecycle } from "./ActivityLifecycle";
import { EvidenceSection } from "../documents/EvidenceSection";
import { activitySheetHref } from "../../components/listExport";

export function ActivityEditorPage() {
  const { id } = useParams<{ id: string }>();
  const ctx = useAuthenticated();
  const navigate = useNavigate();
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice;
  const detail = useQuery(ActivityDetailQuery, { id: id ?? "" }, { skip: !id });
  const activity = detail.data?.activity;
  const [tenantChoice, setTenantChoice] = useState(ctx.tenantId ?? (ctx.tenants.length === 1 ? ctx.tenants[0]!.id : ""));
  const dataTenant = activity?.tenantId ?? (tenantChoice || null);
  const editorData = useQuery(ActivityEditorDataQuery, { tenantIds: dataTenant ? [dataTenant] : null });
  const [draft, setDraftState] = useState<ActivityDraft | null>(id ? null : emptyDraft);
  const [version, setVersion] = useState<number | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [statusChoice, setStatusChoice] = useState("");
  const [statusMessage, setStatusMessage] = useState<{ ok: boolean; text: string } | null>(null);
  // The creation notice is shown until the next action, whose outcome replaces it.
  const [noticeShown, setNoticeShown] = useState(true);
  // Each action's outcome replaces the previous ones: no success beside a newer error.
  const clearOutcomes = () => {
    setSaved(null);
    setStatusMessage(null);
    setNoticeShown(false);
  };
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (activity && draft === null) {
      setDraftState(draftFromActivity(activity));
      setVersion(activity.version);
      setStatusChoice(activity.status.code);
    }
  }, [activity, draft]);

  const archived = Boolean(activity?.archivedAt);
  const mayEdit = can(ctx.roles, "editGdpr");
  const editable = mayEdit && !archived;
  // « Contrôlé par le DPO » is the DPO's word: not offered to anyone else.
  const mayCheck = can(ctx.roles, "checkGdpr");
  const title = id ? (activity ? `Traitement : ${activity.name}` : "Traitement") : "Nouveau traitement";

  const setDraft = (update: (d: ActivityDraft) => ActivityDraft) => {
    setSaved(null);
    setDraftState((d) => (d ? update(d) : d));
  };

  const showErrors = (fields: Record<string, string>, generalErrors: string[]) => {
    setErrors(fields);
    setGeneral(generalErrors);
    requestAnimationFrame(() => summary.current?.focus());
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!draft || saving) return;
    clearOutcomes();
    const local = checkDraft(draft);
    const tenantMissing = !id && !tenantChoice;
    if (tenantMissing) local.tenant = "Choisissez la commune dont le registre reçoit ce traitement.";
    if (Object.keys(local).length) {
      showErrors(local, []);
      return;
    }
    setSaving(true);
    try {
      const input = draftToInput(draft);
      if (id && version !== null) {
        const r = await request(UpdateActivityMutation, { id, version, input });
        setVersion(r.updateActivity.version);
        setErrors({});
        setGeneral([]);
        setSaved(`Le traitement « ${r.updateActivity.name} » a été enregistré.`);
        detail.reload();
      } else {
        const r = await request(CreateActivityMutation, { tenantId: tenantChoice, input });
        navigate(`/registre/${r.createActivity.id}`, {
          state: { notice: `Le traitement « ${r.createActivity.name} » a été créé (brouillon).` },
        });
      }
    } catch (err) {
      const { fields, general: other } = splitFieldErrors(err);
      showErrors(fields, other);
    } finally {
      setSaving(false);
    }
  }

  async function changeStatus() {
    if (!id || !statusChoice) return;
    clearOutcomes();
    setErrors({});
    setGeneral([]);
    try {
      const r = await request(SetActivityStatusMutation, { id, status: statusChoice });
      setVersion(r.setActivityStatus.version);
      setStatusMessage({ ok: true, text: `Statut : ${r.setActivityStatus.status.label}.` });
      detail.reload();
    } catch (err) {
      const text = errorText(err);
      setStatusMessage(text ? { ok: false, text } : null);
    }
  }

  if (id && detail.error) return (<><PageHeading title="Traitement" /><QueryError error={detail.error} /></>);
  if (editorData.error) return (<><PageHeading title={title} /><QueryError error={editorData.error} /></>);

  return (
    <>
      <nav role="navigation" className="fr-breadcrumb" aria-label="vous êtes ici :">
        <ol className="fr-breadcrumb__list">
          <li><Link className="fr-breadcrumb__link" to="/registre">Registre RGPD</Link></li>
          <li><a className="fr-breadcrumb__link" aria-current="page">{id ? activity?.name ?? "Traitement" : "Nouveau traitement"}</a></li>
        </ol>
      </nav>
      <PageHeading title={title}>
        {activity ? (
          <>
            {ctx.tenantName(activity.tenantId)} · <Badge as="span" small noIcon>{activity.status.label}</Badge> · complet à{" "}
            {activity.completeness} % · AIPD : {dpiaLabel(activity.dpiaScreening)} · modifié le {formatDateTime(activity.updatedAt)}
          </>
        ) : id ? null : (
          "Une nouvelle entrée du registre des activités de traitement (article 30 du RGPD), créée en brouillon."
        )}
      </PageHeading>
      {id && activity ? (
        <p>
          <a className="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-printer-line" href={activitySheetHref([id])} download>
            Imprimer la fiche<span className="fr-sr-only"> de {activity.name} (PDF)</span>
          </a>
        </p>
      ) : null}
      {notice && noticeShown && !saved ? <Alert severity="success" small description={notice} className="fr-mb-3w" /> : null}
      {activity?.archivedAt ? (
        <Alert severity="info" small className="fr-mb-3w"
          description={`Archivé le ${formatDateTime(activity.archivedAt)} : ce traitement ne figure plus au registre ni dans ses exports, et ne se modifie plus.`} />
      ) : null}
      {saved ? (
        <div>
          <Alert severity="success" small description={saved} className="fr-mb-3w" />
        </div>
      ) : null}
      {activity && activity.modelChanges.length ? (
        <Alert
          severity="info"
          title="Le modèle a changé depuis sa copie"
          description={`Champs modifiés dans le modèle : ${activity.modelChanges.map((c) => fieldLabels[c.field] ?? c.field).join(", ")}.`}
          className="fr-mb-3w"
        />
      ) : null}
      <ErrorSummary errors={errors} general={general} labels={{ ...fieldLabels, tenant: "Commune" }} summaryRef={summary} />
      {!draft || !editorData.data ? (
        <Loading what="le traitement" />
      ) : (
        <form onSubmit={submit} noValidate aria-describedby="form-required-note">
          <p id="form-required-note" className="fr-text--sm">Les champs marqués d'un astérisque (*) sont obligatoires.</p>
          <fieldset disabled={!editable} className="fr-fieldset" style={{ border: 0, padding: 0, margin: 0 }} aria-label="Contenu du traitement">
            <div className="fr-fieldset__element">
              {!id && ctx.tenants.length > 1 ? (
                <SelectField id="field-tenant" label="Commune" required value={tenantChoice} onChange={setTenantChoice}
                  error={errors.tenant} placeholder="Choisir une commune"
                  options={ctx.tenants.map((t) => ({ value: t.id, label: t.name }))} />
              ) : null}
              <ActivityForm draft={draft} setDraft={setDraft} errors={errors} vocabulary={editorData.data.gdprVocabulary}
                processors={editorData.data.processors.items} />
            </div>
          </fieldset>
          {editable ? (
            <ul className="fr-btns-group fr-btns-group--inline-md fr-mt-4w">
              <li>
                <button className="fr-btn" type="submit" disabled={saving}>
                  {saving ? "Enregistrement…" : id ? "Enregistrer les modifications" : "Créer le traitement"}
                </button>
              </li>
              <li>
                <Link className="fr-btn fr-btn--secondary" to="/registre">Retour au registre</Link>
              </li>
            </ul>
          ) : (
            <p className="fr-mt-4w">
              {archived ? "Lecture seule : ce traitement est archivé." : "Lecture seule : votre rôle ne permet pas de modifier le registre."}
            </p>
          )}
        </form>
      )}
      {id && activity && editable && editorData.data ? (
        <section className="fr-mt-6w" aria-labelledby="status-title">
          <h2 id="status-title" className="fr-h4">Statut</h2>
          <p className="fr-text--sm" id="activity-status-note">
            {mayCheck
              ? "Brouillon ou validé par la commune ; « Contrôlé par le DPO » est votre contrôle."
              : "Brouillon ou validé par la commune. « Contrôlé par le DPO » est réservé au DPO de l'intercommunalité : il n'est pas proposé ici."}
          </p>
          <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
            <div className="fr-col-12 fr-col-md-6">
              <SelectField id="activity-status" label="Nouveau statut" value={statusChoice} onChange={setStatusChoice}
                options={editorData.data.gdprVocabulary.activityStatuses
                  .filter((s) => mayCheck || s.code !== "checked" || activity.status.code === "checked")
                  .map((s) => ({ value: s.code, label: s.label }))} />
            </div>
            <div className="fr-col-12 fr-col-md-6">
              <button type="button" className="fr-btn fr-btn--secondary fr-mb-3w" onClick={() => void changeStatus()}>
                Changer le statut
              </button>
            </div>
          </div>
          {statusMessage ? (
            <div>
              <Alert severity={statusMessage.ok ? "success" : "error"} small description={statusMessage.text} />
            </div>
          ) : null}
        </section>
      ) : null}
      {id && activity ? (
        <ActivityActions activityId={id} editable={editable}
          readOnlyReason={archived ? "Ce traitement est archivé : son plan d'action ne change plus." : "Lecture seule : votre rôle ne permet pas de modifier le plan d'action."} />
      ) : null}
      {id && activity ? <EvidenceSection targetKind="activity" targetId={id} tenantId={activity.tenantId} /> : null}
      {id && activity && editable && version !== null ? (
        <ActivityLifecycle id={id} name={activity.name} version={version} draft={activity.status.code === "draft"}
          onArchived={() => { clearOutcomes(); detail.reload(); }} />
      ) : null}
    </>
  );
}
