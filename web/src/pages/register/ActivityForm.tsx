// Every field of a register entry (Art. 30 GDPR). The parent keeps the draft: an error from
// the API leaves everything typed in place, with the message next to its field.
import { CheckboxField, FieldsetGroup, SelectField, TextAreaField, TextField } from "../../components/formFields";
import type { ActivityDraft } from "./activityDraft";
import { RepeatableList } from "./RepeatableList";

export type Term = { code: string; label: string };
export type Vocabulary = {
  registerRoles: Term[];
  legalBases: Term[];
  finalFates: Term[];
  safeguards: Term[];
  dpiaCriteria: Term[];
};

export const fieldLabels: Record<string, string> = {
  role: "Rôle de la commune",
  name: "Nom du traitement",
  purposes: "Finalités",
  controllerName: "Responsable de traitement",
  legalBases: "Bases légales",
  dataSubjects: "Personnes concernées",
  dataCategories: "Catégories de données",
  recipients: "Destinataires",
  transfers: "Transferts hors UE",
  retention: "Durées de conservation",
  securityMeasures: "Mesures de sécurité",
  dpiaCriteria: "Critères d'analyse d'impact (AIPD)",
  origin: "Origine des données",
  collectionMethod: "Mode de collecte",
  information: "Information des personnes",
  software: "Logiciel",
  department: "Service",
  owner: "Référent",
  processorIds: "Sous-traitants",
};

const options = (terms: Term[]) => terms.map((t) => ({ value: t.code, label: t.label }));

export function ActivityForm({
  draft,
  setDraft,
  errors,
  vocabulary,
  processors,
}: {
  draft: ActivityDraft;
  setDraft: (update: (d: ActivityDraft) => ActivityDraft) => void;
  errors: Record<string, string>;
  vocabulary: Vocabulary;
  processors: { id: string; name: string }[];
}) {
  const set = <K extends keyof ActivityDraft>(key: K) => (value: ActivityDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const f = (name: string) => `field-${name}`;

  return (
    <>
      <h2 className="fr-h4">Identification</h2>
      <TextField id={f("name")} label={fieldLabels.name} required value={draft.name} onChange={set("name")} error={errors.name}
        hint="Par exemple : Gestion de l'état civil" />
      <SelectField id={f("role")} label={fieldLabels.role} value={draft.role} onChange={set("role")} error={errors.role}
        options={options(vocabulary.registerRoles)} hint="Responsable de traitement (art. 30.1) ou sous-traitant (art. 30.2)" />
      {draft.role === "processor" ? (
        <TextField id={f("controllerName")} label={fieldLabels.controllerName} required value={draft.controllerName}
          onChange={set("controllerName")} error={errors.controllerName} />
      ) : null}
      <TextAreaField id={f("purposes")} label={fieldLabels.purposes} value={draft.purposes} onChange={set("purposes")} error={errors.purposes} />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={f("department")} label={fieldLabels.department} value={draft.department} onChange={set("department")} error={errors.department} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={f("owner")} label={fieldLabels.owner} value={draft.owner} onChange={set("owner")} error={errors.owner} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={f("software")} label={fieldLabels.software} value={draft.software} onChange={set("software")} error={errors.software} />
        </div>
      </div>

      <h2 className="fr-h4 fr-mt-4w">Licéité</h2>
      <RepeatableList
        id={f("legalBases")}
        legend={fieldLabels.legalBases}
        hint="Pour une obligation légale ou une mission d'intérêt public, citez le texte."
        error={errors.legalBases}
        items={draft.legalBases}
        onChange={set("legalBases")}
        make={() => ({ basis: vocabulary.legalBases[0]?.code ?? "", justification: "" })}
        addLabel="Ajouter une base légale"
        itemLabel={(i) => `Base légale ${i + 1}`}
        render={(item, update, i) => (
          <>
            <SelectField id={`legal-basis-${i}`} label="Base légale" value={item.basis} onChange={(v) => update({ basis: v })}
              options={options(vocabulary.legalBases)} />
            <TextField id={`legal-justification-${i}`} label="Justification (texte applicable)" value={item.justification}
              onChange={(v) => update({ justification: v })} />
          </>
        )}
      />

      <h2 className="fr-h4 fr-mt-4w">Personnes et données</h2>
      <RepeatableList
        id={f("dataSubjects")}
        legend={fieldLabels.dataSubjects}
        error={errors.dataSubjects}
        items={draft.dataSubjects}
        onChange={set("dataSubjects")}
        make={() => ({ category: "", estimatedCount: "" })}
        addLabel="Ajouter une catégorie de personnes"
        itemLabel={(i) => `Personnes ${i + 1}`}
        render={(item, update, i) => (
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-8">
              <TextField id={`subject-category-${i}`} label="Catégorie" value={item.category} onChange={(v) => update({ category: v })} />
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <TextField id={`subject-count-${i}`} label="Nombre estimé" inputMode="numeric" value={item.estimatedCount}
                onChange={(v) => update({ estimatedCount: v })} />
            </div>
          </div>
        )}
      />
      <RepeatableList
        id={f("dataCategories")}
        legend={fieldLabels.dataCategories}
        error={errors.dataCategories}
        items={draft.dataCategories}
        onChange={set("dataCategories")}
        make={() => ({ category: "", sensitive: false, criminal: false })}
        addLabel="Ajouter une catégorie de données"
        itemLabel={(i) => `Données ${i + 1}`}
        render={(item, update, i) => (
          <>
            <TextField id={`data-category-${i}`} label="Catégorie" value={item.category} onChange={(v) => update({ category: v })} />
            <CheckboxField id={`data-sensitive-${i}`} label="Donnée sensible (art. 9 : santé, opinions, biométrie…)"
              checked={item.sensitive} onChange={(v) => update({ sensitive: v })} />
            <CheckboxField id={`data-criminal-${i}`} label="Infractions et condamnations (art. 10)" checked={item.criminal}
              onChange={(v) => update({ criminal: v })} />
          </>
        )}
      />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={f("origin")} label={fieldLabels.origin} value={draft.origin} onChange={set("origin")} error={errors.origin} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <TextField id={f("collectionMethod")} label={fieldLabels.collectionMethod} value={draft.collectionMethod}
            onChange={set("collectionMethod")} error={errors.collectionMethod} />
        </div>
      </div>
      <TextAreaField id={f("information")} label={fieldLabels.information} value={draft.information} onChange={set("information")}
        error={errors.information} hint="Comment les personnes sont informées (art. 13 et 14)." />

      <h2 className="fr-h4 fr-mt-4w">Destinataires et transferts</h2>
      <TextAreaField id={f("recipients")} label={fieldLabels.recipients} hint="Un destinataire par ligne." value={draft.recipients}
        onChange={set("recipients")} error={errors.recipients} />
      <RepeatableList
        id={f("transfers")}
        legend={fieldLabels.transfers}
        hint="Seulement vers un pays hors de l'Union européenne et de l'EEE."
        error={errors.transfers}
        items={draft.transfers}
        onChange={set("transfers")}
        make={() => ({ country: "", recipient: "", safeguard: vocabulary.safeguards[0]?.code ?? "" })}
        addLabel="Ajouter un transfert"
        itemLabel={(i) => `Transfert ${i + 1}`}
        render={(item, update, i) => (
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-3">
              <TextField id={`transfer-country-${i}`} label="Pays (code à deux lettres)" value={item.country}
                onChange={(v) => update({ country: v })} />
            </div>
            <div className="fr-col-12 fr-col-md-5">
              <TextField id={`transfer-recipient-${i}`} label="Destinataire" value={item.recipient} onChange={(v) => update({ recipient: v })} />
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <SelectField id={`transfer-safeguard-${i}`} label="Garantie" value={item.safeguard} onChange={(v) => update({ safeguard: v })}
                options={options(vocabulary.safeguards)} />
            </div>
          </div>
        )}
      />
      {processors.length ? (
        <FieldsetGroup id={f("processorIds")} legend={fieldLabels.processorIds} error={errors.processorIds}>
          {processors.map((p) => (
            <CheckboxField key={p.id} id={`processor-${p.id}`} label={p.name} checked={draft.processorIds.includes(p.id)}
              onChange={(on) => set("processorIds")(on ? [...draft.processorIds, p.id] : draft.processorIds.filter((x) => x !== p.id))} />
          ))}
        </FieldsetGroup>
      ) : null}

      <h2 className="fr-h4 fr-mt-4w">Conservation et sécurité</h2>
      <RepeatableList
        id={f("retention")}
        legend={fieldLabels.retention}
        error={errors.retention}
        items={draft.retention}
        onChange={set("retention")}
        make={() => ({ data: "", durationMonths: "", startingEvent: "", finalFate: vocabulary.finalFates[0]?.code ?? "" })}
        addLabel="Ajouter une durée de conservation"
        itemLabel={(i) => `Conservation ${i + 1}`}
        render={(item, update, i) => (
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-6">
              <TextField id={`retention-data-${i}`} label="Données" value={item.data} onChange={(v) => update({ data: v })} />
            </div>
            <div className="fr-col-12 fr-col-md-6">
              <TextField id={`retention-months-${i}`} label="Durée (mois)" inputMode="numeric" value={item.durationMonths}
                onChange={(v) => update({ durationMonths: v })} />
            </div>
            <div className="fr-col-12 fr-col-md-6">
              <TextField id={`retention-start-${i}`} label="À compter de" value={item.startingEvent}
                hint="L'événement avec son article : « la fin du contrat », « l'achèvement des travaux »."
                onChange={(v) => update({ startingEvent: v })} />
            </div>
            <div className="fr-col-12 fr-col-md-6">
              <SelectField id={`retention-fate-${i}`} label="Sort final" value={item.finalFate} onChange={(v) => update({ finalFate: v })}
                options={options(vocabulary.finalFates)} />
            </div>
          </div>
        )}
      />
      <TextAreaField id={f("securityMeasures")} label={fieldLabels.securityMeasures} hint="Une mesure par ligne."
        value={draft.securityMeasures} onChange={set("securityMeasures")} error={errors.securityMeasures} />
      <FieldsetGroup id={f("dpiaCriteria")} legend={fieldLabels.dpiaCriteria}
        hint="Les neuf critères de la CNIL : deux critères ou plus rendent l'analyse d'impact obligatoire." error={errors.dpiaCriteria}>
        {vocabulary.dpiaCriteria.map((c) => (
          <CheckboxField key={c.code} id={`dpia-${c.code}`} label={c.label} checked={draft.dpiaCriteria.includes(c.code)}
            onChange={(on) => set("dpiaCriteria")(on ? [...draft.dpiaCriteria, c.code] : draft.dpiaCriteria.filter((x) => x !== c.code))} />
        ))}
      </FieldsetGroup>
    </>
  );
}
