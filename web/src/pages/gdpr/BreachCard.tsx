// One breach on /violations: its title first, then what it is, the deadline and the live
// countdown (or the decision taken), the draft notification, and, while undecided, the
// decision: notified to the CNIL (with the reasons of the delay past 72 hours) or documented
// as not notified (with the reasoning).
import { useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { Badge } from "@codegouvfr/react-dsfr/Badge";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { TextAreaField, TextField } from "../../components/formFields";
import { formatCountdown, formatDateTime } from "../../format/fr";
import { RecordBreachNotificationMutation, RecordBreachNotNotifiedMutation } from "./breachQueries";
import { fromLocalInput, toLocalInput } from "./localTime";
import { EvidenceSection } from "../documents/EvidenceSection";

export type BreachRow = {
  id: string;
  tenantId: string;
  title: string;
  awareAt: string;
  severity: { label: string };
  natures: { label: string }[];
  notifyDeadline: string;
  notifiedAt?: string | null;
  notNotifiedReason?: string | null;
  lateReasons?: string | null;
  notifiedLate: boolean;
  notificationDraft: string;
};

export function BreachCard({
  b,
  now,
  tenantName,
  canDecide,
  onDecided,
}: {
  b: BreachRow;
  now: number;
  /** The commune's name when several are shown, else null. */
  tenantName: string | null;
  canDecide: boolean;
  onDecided: () => void;
}) {
  const open = !b.notifiedAt && !b.notNotifiedReason;
  // The decision's confirmation stays on the card once the form is gone.
  const [decided, setDecided] = useState<string | null>(null);
  const secondsLeft = Math.round((Date.parse(b.notifyDeadline) - now) / 1000);
  const titleId = `breach-${b.id}-title`;
  return (
    <article className="fr-card fr-card--no-arrow fr-mb-3w" aria-labelledby={titleId}>
      <div className="fr-card__body">
        <div className="fr-card__content">
          <h2 id={titleId} className="fr-card__title fr-h5">{b.title}</h2>
          <p className="fr-card__desc">
            {tenantName ? <>{tenantName} · </> : null}
            Connue le {formatDateTime(b.awareAt)} · gravité {b.severity.label.toLowerCase()} ·{" "}
            {b.natures.map((n) => n.label).join(", ")}
          </p>
          {/* After the title and the description (DSFR orders a card's children). */}
          <div className="fr-card__end console-card-end">
            <p className="fr-text--sm fr-mb-1w">Échéance de notification : {formatDateTime(b.notifyDeadline)}</p>
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
            {b.lateReasons ? <p className="fr-text--sm fr-mb-1w">Motifs du retard : {b.lateReasons}</p> : null}
            <details>
              <summary>Projet de notification à la CNIL (art. 33.3)</summary>
              <pre className="console-pre fr-text--sm fr-mt-1w">{b.notificationDraft}</pre>
            </details>
            <EvidenceSection targetKind="breach" targetId={b.id} tenantId={b.tenantId} level={3} />
            {decided ? <Alert role="status" severity="success" small description={decided} className="fr-mt-2w" /> : null}
            {open && canDecide ? (
              <DecisionForm b={b} onDecided={(message) => { setDecided(message); onDecided(); }} />
            ) : null}
          </div>
        </div>
      </div>
    </article>
  );
}

function DecisionForm({ b, onDecided }: { b: BreachRow; onDecided: (message: string) => void }) {
  const [choice, setChoice] = useState<"notified" | "not_notified">("notified");
  const [notifiedAt, setNotifiedAt] = useState(toLocalInput(new Date()));
  const [lateReasons, setLateReasons] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const at = fromLocalInput(notifiedAt);
  const late = at !== null && Date.parse(at) > Date.parse(b.notifyDeadline);
  const id = (f: string) => `breach-${b.id}-${f}`;
  const labels = { notifiedAt: "Notifiée le", lateReasons: "Motifs du retard", reason: "Motifs de la décision" };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral([]);
    const local: Record<string, string> = {};
    if (choice === "notified") {
      if (!at) local.notifiedAt = "Indiquez la date et l'heure de la notification.";
      else if (late && !lateReasons.trim()) local.lateReasons = "Notification après 72 heures : indiquez les motifs du retard.";
    } else if (!reason.trim()) {
      local.reason = "Expliquez pourquoi la violation n'est pas susceptible d'engendrer un risque.";
    }
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      if (choice === "notified") {
        await request(RecordBreachNotificationMutation, { id: b.id, notifiedAt: at!, lateReasons: lateReasons.trim() ? lateReasons : null });
        onDecided("La notification à la CNIL est enregistrée.");
      } else {
        await request(RecordBreachNotNotifiedMutation, { id: b.id, reason });
        onDecided("La décision de ne pas notifier est documentée.");
      }
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="fr-mt-2w" aria-label={`Décision de notification : ${b.title}`}>
      <ErrorSummaryFor prefix={id("")} errors={errors} general={general} labels={labels} />
      <fieldset className="fr-fieldset" aria-labelledby={id("choice-legend")}>
        <legend id={id("choice-legend")} className="fr-fieldset__legend fr-text--regular">Décision de notification</legend>
        <div className="fr-fieldset__element fr-fieldset__element--inline">
          <div className="fr-radio-group">
            <input type="radio" id={id("notified")} name={id("choice")} checked={choice === "notified"} onChange={() => setChoice("notified")} />
            <label className="fr-label" htmlFor={id("notified")}>Notifiée à la CNIL</label>
          </div>
        </div>
        <div className="fr-fieldset__element fr-fieldset__element--inline">
          <div className="fr-radio-group">
            <input type="radio" id={id("not-notified")} name={id("choice")} checked={choice === "not_notified"} onChange={() => setChoice("not_notified")} />
            <label className="fr-label" htmlFor={id("not-notified")}>Non notifiée (risque improbable)</label>
          </div>
        </div>
      </fieldset>
      {choice === "notified" ? (
        <>
          <TextField id={id("notifiedAt")} type="datetime-local" label={labels.notifiedAt} required value={notifiedAt}
            onChange={setNotifiedAt} error={errors.notifiedAt} />
          {late ? (
            <TextAreaField id={id("lateReasons")} label={labels.lateReasons} required value={lateReasons} onChange={setLateReasons}
              error={errors.lateReasons} hint="Plus de 72 heures après la prise de connaissance : le retard s'explique (article 33.1 du RGPD)." />
          ) : null}
        </>
      ) : (
        <TextAreaField id={id("reason")} label={labels.reason} required value={reason} onChange={setReason} error={errors.reason}
          hint="Pourquoi la violation n'est pas susceptible d'engendrer un risque pour les droits et libertés des personnes (article 33.5)." />
      )}
      <button className="fr-btn fr-btn--sm" type="submit">Enregistrer la décision</button>
    </form>
  );
}

/** The error summary of a card's form: its links lead to that card's fields. */
function ErrorSummaryFor({ prefix, errors, general, labels }: { prefix: string; errors: Record<string, string>; general: string[]; labels: Record<string, string> }) {
  const entries = Object.entries(errors);
  if (!entries.length && !general.length) return null;
  return (
    <div className="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">
      <ul>
        {general.map((g, i) => <li key={`g${i}`}>{g}</li>)}
        {entries.map(([field, message]) => (
          <li key={field}><a href={`#${prefix}${field}`}>{labels[field] ?? field} : {message}</a></li>
        ))}
      </ul>
    </div>
  );
}
