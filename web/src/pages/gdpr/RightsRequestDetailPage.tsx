// One rights request: what was asked, its deadline, what was done (the history), and the
// actions left for those who may act: take it in hand, extend it (with the reason, the new
// deadline shown), answer it, refuse it with reasons, close it when withdrawn.
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { request } from "../../api/graphqlClient";
import { errorText, splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { can } from "../../auth/roles";
import { ErrorSummary, TextAreaField, TextField } from "../../components/formFields";
import { DataTable } from "../../components/DataTable";
import { Loading, QueryError } from "../../components/QueryStatus";
import { PageHeading } from "../../layout/PageHeading";
import { formatDate, formatDateTime, formatDaysLeft, today } from "../../format/fr";
import { EvidenceSection } from "../documents/EvidenceSection";
import { ExtendRightsRequestMutation, RightsRequestDetailQuery, SetRightsRequestStatusMutation } from "./requestQueries";

type Outcome = { ok: boolean; text: string } | null;

/** The decisions that close a request, as the form offers them. */
const decisions = [
  { code: "answered", label: "Répondre", hint: "La réponse apportée à la personne." },
  { code: "rejected", label: "Refuser", hint: "Les motifs du refus et les voies de recours (article 12.4 du RGPD)." },
  { code: "withdrawn", label: "Clore (demande retirée)", hint: "La personne a retiré sa demande ; précisez-le si besoin." },
] as const;

export function RightsRequestDetailPage() {
  const { id = "" } = useParams<{ id: string }>();
  const ctx = useAuthenticated();
  const q = useQuery(RightsRequestDetailQuery, { id });
  const r = q.data?.rightsRequest;
  // One outcome at a time: a newer action's result replaces the previous one.
  const [outcome, setOutcome] = useState<Outcome>(null);
  const editable = can(ctx.roles, "editGdpr");
  const open = r ? r.status.code === "received" || r.status.code === "in_progress" : false;
  const done = (text: string) => {
    setOutcome({ ok: true, text });
    q.reload();
  };

  async function takeInHand() {
    setOutcome(null);
    try {
      await request(SetRightsRequestStatusMutation, { id, status: "in_progress" });
      done("La demande est prise en charge.");
    } catch (err) {
      const text = errorText(err);
      setOutcome(text ? { ok: false, text } : null);
    }
  }

  if (q.error) {
    return (
      <>
        <PageHeading title="Demande d'exercice des droits" />
        <QueryError error={q.error} />
      </>
    );
  }
  if (!r) return <Loading what="la demande" />;

  return (
    <>
      <nav role="navigation" className="fr-breadcrumb" aria-label="vous êtes ici :">
        <ol className="fr-breadcrumb__list">
          <li><Link className="fr-breadcrumb__link" to="/demandes">Demandes de droits</Link></li>
          <li><a className="fr-breadcrumb__link" aria-current="page">{r.requester}</a></li>
        </ol>
      </nav>
      <PageHeading title={`Demande de ${r.requester}`}>
        {r.kind.label} · {ctx.tenantName(r.tenantId)} · <Badge as="span" small noIcon>{r.status.label}</Badge>
      </PageHeading>
      {outcome ? (
        <div>
          <Alert role={outcome.ok ? "status" : "alert"} severity={outcome.ok ? "success" : "error"} small description={outcome.text} className="fr-mb-3w" />
        </div>
      ) : null}

      <section aria-labelledby="request-summary-title">
        <h2 id="request-summary-title" className="fr-h4">La demande</h2>
        <dl className="console-facts">
          <dt>Droit exercé</dt>
          <dd>{r.kind.label}</dd>
          <dt>Reçue le</dt>
          <dd>{formatDate(r.receivedOn)}</dd>
          <dt>Contact</dt>
          <dd>{r.contact || "—"}</dd>
          <dt>Détails</dt>
          <dd className="console-pre-line">{r.details || "—"}</dd>
          <dt>Échéance</dt>
          <dd>
            {formatDate(r.effectiveDueOn)}
            {r.extendedDueOn ? <> (prolongée ; première échéance le {formatDate(r.dueOn)})</> : null}
            {r.daysLeft !== null ? (
              <>
                {" "}
                <Badge as="span" small severity={r.overdue ? "error" : r.daysLeft <= 7 ? "warning" : "info"}>
                  {formatDaysLeft(r.daysLeft)}
                </Badge>
              </>
            ) : null}
          </dd>
          {r.extensionReason ? (
            <>
              <dt>Motif de la prolongation</dt>
              <dd>{r.extensionReason}</dd>
            </>
          ) : null}
          {r.answeredOn || r.answer ? (
            <>
              <dt>{r.status.code === "rejected" ? "Motifs du refus" : "Réponse"}</dt>
              <dd className="console-pre-line">
                {r.answer || "—"}
                {r.answeredOn ? <> (le {formatDate(r.answeredOn)})</> : null}
              </dd>
            </>
          ) : null}
        </dl>
      </section>

      <section className="fr-mt-4w" aria-labelledby="request-actions-title">
        <h2 id="request-actions-title" className="fr-h4">Traiter la demande</h2>
        {!editable ? (
          <p>Lecture seule : votre rôle ne permet pas de traiter les demandes d'exercice des droits.</p>
        ) : !open ? (
          <p>Cette demande est close ({r.status.label.toLowerCase()}) : elle ne peut plus être modifiée.</p>
        ) : (
          <>
            {r.status.code === "received" ? (
              <p>
                <button type="button" className="fr-btn fr-btn--secondary" onClick={() => void takeInHand()}>
                  Prendre en charge
                </button>
              </p>
            ) : null}
            {r.extendable && r.extensionDueOn ? (
              <ExtendForm id={id} newDue={r.extensionDueOn} firstDue={r.dueOn} onDone={done} onStart={() => setOutcome(null)} />
            ) : (
              <p className="fr-text--sm">
                {r.extendedDueOn
                  ? "La demande a déjà été prolongée : elle ne peut l'être qu'une fois."
                  : `La prolongation n'est plus possible : elle devait être décidée avant la première échéance (${formatDate(r.dueOn)}).`}
              </p>
            )}
            <DecisionForm id={id} receivedOn={r.receivedOn} onDone={done} onStart={() => setOutcome(null)} />
          </>
        )}
      </section>

      <EvidenceSection targetKind="request" targetId={r.id} tenantId={r.tenantId} />

      <section className="fr-mt-6w" aria-labelledby="request-history-title">
        <h2 id="request-history-title" className="fr-h4">Historique</h2>
        {r.history.length ? (
          <DataTable
            caption="Historique de la demande"
            captionHidden
            headers={["Date", "Action", "Par", "Précisions", "Échéance"]}
            rows={r.history.map((e) => [
              formatDateTime(e.at),
              e.action.label,
              e.actor || "—",
              e.note || "—",
              formatDate(e.dueOn),
            ])}
          />
        ) : (
          <p>Aucune action enregistrée.</p>
        )}
      </section>
    </>
  );
}

function ExtendForm({ id, newDue, firstDue, onDone, onStart }: { id: string; newDue: string; firstDue: string; onDone: (t: string) => void; onStart: () => void }) {
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    onStart();
    setGeneral([]);
    if (!reason.trim()) {
      setErrors({ reason: "Indiquez le motif de la prolongation (complexité ou nombre de demandes)." });
      return;
    }
    setErrors({});
    try {
      const r = await request(ExtendRightsRequestMutation, { id, reason });
      setReason("");
      onDone(`Délai prolongé : nouvelle échéance le ${formatDate(r.extendRightsRequest.effectiveDueOn)}.`);
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="fr-mb-4w" aria-labelledby="extend-title">
      <h3 id="extend-title" className="fr-h6">Prolonger de deux mois</h3>
      <p className="fr-text--sm">
        Possible une fois, avant la première échéance ({formatDate(firstDue)}), en raison de la complexité ou du nombre
        de demandes (article 12.3 du RGPD). La nouvelle échéance sera le <strong>{formatDate(newDue)}</strong>.
      </p>
      <ErrorSummary errors={errors} general={general} labels={{ reason: "Motif de la prolongation" }} />
      <TextAreaField id="field-reason" label="Motif de la prolongation" required value={reason} onChange={setReason} error={errors.reason} />
      <button className="fr-btn fr-btn--secondary" type="submit">Prolonger jusqu'au {formatDate(newDue)}</button>
    </form>
  );
}

function DecisionForm({ id, receivedOn, onDone, onStart }: { id: string; receivedOn: string; onDone: (t: string) => void; onStart: () => void }) {
  const [decision, setDecision] = useState<(typeof decisions)[number]["code"]>("answered");
  const [answer, setAnswer] = useState("");
  const [answeredOn, setAnsweredOn] = useState(today());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const chosen = decisions.find((d) => d.code === decision)!;
  const closing = decision !== "withdrawn";

  async function submit(e: FormEvent) {
    e.preventDefault();
    onStart();
    setGeneral([]);
    const local: Record<string, string> = {};
    if (closing && !answer.trim()) {
      local.answer = decision === "rejected" ? "Indiquez les motifs du refus." : "Indiquez la réponse apportée.";
    }
    if (closing && !answeredOn) local.answeredOn = "Indiquez la date de la réponse.";
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      await request(SetRightsRequestStatusMutation, {
        id,
        status: decision,
        answer: answer.trim() ? answer : null,
        answeredOn: closing ? answeredOn : null,
      });
      onDone(
        decision === "answered"
          ? "La réponse est enregistrée : la demande est close."
          : decision === "rejected"
            ? "Le refus et ses motifs sont enregistrés : la demande est close."
            : "La demande est close (retirée).",
      );
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="decision-title">
      <h3 id="decision-title" className="fr-h6">Répondre, refuser ou clore</h3>
      <ErrorSummary errors={errors} general={general} labels={{ answer: "Réponse ou motifs", answeredOn: "Date de la réponse" }} />
      <fieldset className="fr-fieldset" aria-labelledby="decision-legend">
        <legend id="decision-legend" className="fr-fieldset__legend fr-text--regular">Décision</legend>
        {decisions.map((d) => (
          <div key={d.code} className="fr-fieldset__element fr-fieldset__element--inline">
            <div className="fr-radio-group">
              <input type="radio" id={`decision-${d.code}`} name="decision" value={d.code} checked={decision === d.code} onChange={() => setDecision(d.code)} />
              <label className="fr-label" htmlFor={`decision-${d.code}`}>{d.label}</label>
            </div>
          </div>
        ))}
      </fieldset>
      <TextAreaField id="field-answer" label={decision === "rejected" ? "Motifs du refus" : decision === "withdrawn" ? "Précisions" : "Réponse apportée"}
        hint={chosen.hint} required={closing} value={answer} onChange={setAnswer} error={errors.answer} />
      {closing ? (
        <TextField id="field-answeredOn" type="date" label="Date de la réponse" required value={answeredOn} onChange={setAnsweredOn}
          error={errors.answeredOn} hint={`Entre la réception (${formatDate(receivedOn)}) et aujourd'hui.`} />
      ) : null}
      <button className="fr-btn" type="submit">
        {decision === "answered" ? "Enregistrer la réponse" : decision === "rejected" ? "Refuser la demande" : "Clore la demande"}
      </button>
    </form>
  );
}
