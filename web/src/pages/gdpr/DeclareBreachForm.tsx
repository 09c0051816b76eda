// Declaring a personal data breach (the API's createBreach): the 72-hour clock of Art. 33
// starts at the moment the commune became aware of it.
import { useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { ErrorSummary, FieldsetGroup, SelectField, TextAreaField, TextField } from "../../components/formFields";
import { formatDateTime } from "../../format/fr";
import { BreachVocabularyQuery, CreateBreachMutation } from "./breachQueries";
import { fromLocalInput, toLocalInput } from "./localTime";

const labels: Record<string, string> = {
  tenantId: "Commune",
  title: "Ce qui s'est passé",
  awareAt: "Prise de connaissance",
  occurredAt: "Survenue",
  natures: "Nature de la violation",
  severity: "Gravité",
  dataCategories: "Données concernées",
  peopleCount: "Personnes concernées",
  recordsCount: "Enregistrements concernés",
  consequences: "Conséquences probables",
  measures: "Mesures prises ou envisagées",
};

const emptyForm = () => ({
  tenantId: "",
  title: "",
  awareAt: toLocalInput(new Date()),
  occurredAt: "",
  natures: [] as string[],
  severity: "medium",
  dataCategories: "",
  peopleCount: "",
  recordsCount: "",
  consequences: "",
  measures: "",
});

export function DeclareBreachForm({ onCreated }: { onCreated: () => void }) {
  const ctx = useAuthenticated();
  const vocab = useQuery(BreachVocabularyQuery, {});
  const [form, setForm] = useState(() => ({ ...emptyForm(), tenantId: ctx.tenantId ?? "" }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const set = (k: keyof ReturnType<typeof emptyForm>) => (v: string) => setForm({ ...form, [k]: v });
  const v = vocab.data?.gdprVocabulary;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(null);
    setGeneral([]);
    const local: Record<string, string> = {};
    const tenantId = ctx.tenantId ?? form.tenantId;
    if (!tenantId) local.tenantId = "Choisissez la commune.";
    if (!form.title.trim()) local.title = "Décrivez la violation en quelques mots.";
    const awareAt = fromLocalInput(form.awareAt);
    if (!awareAt) local.awareAt = "Indiquez quand la commune en a pris connaissance.";
    if (!form.natures.length) local.natures = "Cochez au moins une nature : confidentialité, intégrité ou disponibilité.";
    const count = (s: string, field: string) => {
      if (!s.trim()) return null;
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) {
        local[field] = "Indiquez un nombre entier positif.";
        return null;
      }
      return n;
    };
    const peopleCount = count(form.peopleCount, "peopleCount");
    const recordsCount = count(form.recordsCount, "recordsCount");
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const r = await request(CreateBreachMutation, {
        input: {
          tenantId,
          title: form.title,
          awareAt: awareAt!,
          occurredAt: fromLocalInput(form.occurredAt),
          natures: form.natures,
          severity: form.severity,
          dataCategories: form.dataCategories,
          peopleCount,
          recordsCount,
          consequences: form.consequences,
          measures: form.measures,
        },
      });
      setDone(`Violation « ${r.createBreach.title} » déclarée : notification à la CNIL au plus tard le ${formatDateTime(r.createBreach.notifyDeadline)}.`);
      setForm({ ...emptyForm(), tenantId: form.tenantId });
      onCreated();
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
    }
  }

  if (!v) return null;
  return (
    <section className="fr-mt-6w" aria-labelledby="declare-breach-title">
      <h2 id="declare-breach-title" className="fr-h4">Déclarer une violation</h2>
      <p className="fr-text--sm">
        Toute violation est documentée (article 33.5 du RGPD). Le délai de 72 heures court à partir du moment où la
        commune en a pris connaissance.
      </p>
      <ErrorSummary errors={errors} general={general} labels={labels} />
      {done ? <div><Alert role="status" severity="success" small description={done} className="fr-mb-2w" /></div> : null}
      <form onSubmit={submit} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          {!ctx.tenantId ? (
            <div className="fr-col-12 fr-col-md-6">
              <SelectField id="field-tenantId" label={labels.tenantId} required value={form.tenantId} onChange={set("tenantId")} error={errors.tenantId}
                placeholder="Choisir une commune" options={ctx.tenants.map((t) => ({ value: t.id, label: t.name }))} />
            </div>
          ) : null}
          <div className="fr-col-12">
            <TextField id="field-title" label={labels.title} required value={form.title} onChange={set("title")} error={errors.title}
              hint="En quelques mots : « Courriel envoyé au mauvais destinataire »." />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-awareAt" type="datetime-local" label={labels.awareAt} required value={form.awareAt} onChange={set("awareAt")}
              error={errors.awareAt} hint="Date et heure où la commune en a eu connaissance." />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-occurredAt" type="datetime-local" label={labels.occurredAt} value={form.occurredAt} onChange={set("occurredAt")}
              error={errors.occurredAt} hint="Si elle est connue." />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <FieldsetGroup id="field-natures" legend={<>{labels.natures} <span aria-hidden="true">*</span></>} error={errors.natures}>
              {v.breachNatures.map((n) => (
                <div key={n.code} className="fr-checkbox-group fr-checkbox-group--sm">
                  <input type="checkbox" id={`nature-${n.code}`} checked={form.natures.includes(n.code)}
                    onChange={(e) => setForm({ ...form, natures: e.target.checked ? [...form.natures, n.code] : form.natures.filter((x) => x !== n.code) })} />
                  <label className="fr-label" htmlFor={`nature-${n.code}`}>{n.label}</label>
                </div>
              ))}
            </FieldsetGroup>
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="field-severity" label={labels.severity} required value={form.severity} onChange={set("severity")} error={errors.severity}
              options={v.severities.map((s) => ({ value: s.code, label: s.label }))} />
          </div>
          <div className="fr-col-12">
            <TextField id="field-dataCategories" label={labels.dataCategories} value={form.dataCategories} onChange={set("dataCategories")}
              error={errors.dataCategories} hint="Catégories de données : identité, coordonnées, données de santé…" />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-peopleCount" inputMode="numeric" label={labels.peopleCount} value={form.peopleCount} onChange={set("peopleCount")}
              error={errors.peopleCount} hint="Nombre approximatif." />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-recordsCount" inputMode="numeric" label={labels.recordsCount} value={form.recordsCount} onChange={set("recordsCount")}
              error={errors.recordsCount} hint="Nombre approximatif." />
          </div>
          <div className="fr-col-12">
            <TextAreaField id="field-consequences" label={labels.consequences} value={form.consequences} onChange={set("consequences")} error={errors.consequences} />
          </div>
          <div className="fr-col-12">
            <TextAreaField id="field-measures" label={labels.measures} value={form.measures} onChange={set("measures")} error={errors.measures} />
          </div>
        </div>
        <button className="fr-btn" type="submit">Déclarer la violation</button>
      </form>
    </section>
  );
}
