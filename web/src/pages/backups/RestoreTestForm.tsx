// Logging a restore test (continuity-plan evidence): which policy, when, by whom, what was
// restored, how long it took and the result; a partial or failed test says what went wrong.
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { graphql } from "../../gql";
import { request } from "../../api/graphqlClient";
import { splitFieldErrors } from "../../api/errorMessages";
import { useQuery } from "../../api/useQuery";
import { useAuthenticated } from "../../auth/SessionProvider";
import { DataTable } from "../../components/DataTable";
import { Pagination, ResultCount, useListParams } from "../../components/ListPager";
import { ErrorSummary, SelectField, TextAreaField, TextField } from "../../components/formFields";
import { formatDateTime, formatNumber } from "../../format/fr";

export const RestoreTestsQuery = graphql(`
  query RestoreTests($tenantIds: [UUID!], $first: Int!, $offset: Int!) {
    backupRestoreTests(tenantIds: $tenantIds, first: $first, offset: $offset) {
      totalCount
      items {
      id
      tenantId
      policyId
      performedAt
      performedBy
      restored
      durationSeconds
      result
      notes
      }
    }
  }
`);

export const RecordRestoreTestMutation = graphql(`
  mutation RecordRestoreTest($input: RestoreTestInput!) {
    recordRestoreTest(input: $input) {
      id
      result
      performedAt
    }
  }
`);

export const restoreResultLabels: Record<string, string> = { success: "réussi", partial: "partiel", failed: "échoué" };

const labels = {
  policyId: "Politique de sauvegarde",
  performedAt: "Date et heure du test",
  performedBy: "Réalisé par",
  restored: "Ce qui a été restauré, et où",
  durationSeconds: "Durée (minutes)",
  result: "Résultat",
  notes: "Notes",
};

/** Now, as a datetime-local value in the browser's time. */
function localNow(): string {
  const d = new Date();
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export function RestoreTestForm({ policies, onRecorded }: { policies: { id: string; name: string; tenantId: string }[]; onRecorded: () => void }) {
  const ctx = useAuthenticated();
  const pages = useListParams(10, "essais");
  const tests = useQuery(RestoreTestsQuery, { tenantIds: ctx.tenantIds, first: pages.first, offset: pages.offset });
  const [form, setForm] = useState({ policyId: "", performedAt: localNow(), performedBy: "", restored: "", minutes: "", result: "success", notes: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const policyName = (id: string) => policies.find((p) => p.id === id)?.name ?? "—";

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!form.policyId) local.policyId = "Choisissez la politique testée.";
    if (!form.performedAt || Number.isNaN(Date.parse(form.performedAt))) local.performedAt = "Indiquez la date et l'heure du test.";
    if (!form.performedBy.trim()) local.performedBy = "Qui a fait le test ?";
    if (!form.restored.trim()) local.restored = "Décrivez ce qui a été restauré.";
    const minutes = Number(form.minutes.replace(",", "."));
    if (!form.minutes.trim() || !Number.isFinite(minutes) || minutes < 0) local.durationSeconds = "Une durée en minutes (0 ou plus).";
    setDone(null);
    if (Object.keys(local).length) {
      setErrors(local);
      setGeneral([]);
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    try {
      const r = await request(RecordRestoreTestMutation, {
        input: {
          policyId: form.policyId,
          performedAt: new Date(form.performedAt).toISOString(),
          performedBy: form.performedBy,
          restored: form.restored,
          durationSeconds: Math.round(minutes * 60),
          result: form.result,
          notes: form.notes,
        },
      });
      setErrors({});
      setGeneral([]);
      setDone(`Test de restauration enregistré (${restoreResultLabels[r.recordRestoreTest.result] ?? r.recordRestoreTest.result}) pour « ${policyName(form.policyId)} ».`);
      setForm((f) => ({ ...f, restored: "", minutes: "", notes: "" }));
      tests.reload();
      onRecorded();
    } catch (err) {
      const s = splitFieldErrors(err);
      setErrors(s.fields);
      setGeneral(s.general);
      requestAnimationFrame(() => summary.current?.focus());
    }
  }

  const list = tests.data?.backupRestoreTests.items ?? [];
  const total = tests.data?.backupRestoreTests.totalCount;
  return (
    <section className="fr-mt-6w" aria-labelledby="restore-test-title">
      <h2 id="restore-test-title" className="fr-h4">Tests de restauration</h2>
      <ResultCount total={total} list={pages} loading={tests.loading} />
      {list.length ? (
        <DataTable
          caption="Derniers tests de restauration"
          headers={["Date", "Politique", "Réalisé par", "Restauré", "Durée", "Résultat"]}
          rows={list.map((t) => [
            formatDateTime(t.performedAt),
            policyName(t.policyId),
            t.performedBy,
            <>
              {t.restored}
              {t.notes ? <span className="fr-hint-text">{t.notes}</span> : null}
            </>,
            `${formatNumber(Math.round(t.durationSeconds / 60))} min`,
            restoreResultLabels[t.result] ?? t.result,
          ])}
        />
      ) : null}
      <Pagination total={total} list={pages} label="Pages des tests de restauration" />
      <h3 className="fr-h5">Enregistrer un test de restauration</h3>
      <ErrorSummary errors={errors} general={general} labels={labels} summaryRef={summary} />
      {done ? <div><Alert severity="success" small description={done} className="fr-mb-2w" /></div> : null}
      <form onSubmit={submit} noValidate>
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <SelectField id="field-policyId" label={labels.policyId} required value={form.policyId} onChange={set("policyId")} error={errors.policyId}
              placeholder="Choisir une politique"
              options={policies.map((p) => ({ value: p.id, label: ctx.tenantId ? p.name : `${p.name} (${ctx.tenantName(p.tenantId)})` }))} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-performedAt" type="datetime-local" label={labels.performedAt} required value={form.performedAt} onChange={set("performedAt")} error={errors.performedAt} />
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <TextField id="field-performedBy" label={labels.performedBy} required value={form.performedBy} onChange={set("performedBy")} error={errors.performedBy} />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <TextField id="field-durationSeconds" type="number" inputMode="numeric" label={labels.durationSeconds} required value={form.minutes} onChange={set("minutes")} error={errors.durationSeconds} />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <SelectField id="field-result" label={labels.result} value={form.result} onChange={set("result")} error={errors.result}
              options={Object.entries(restoreResultLabels).map(([value, label]) => ({ value, label }))} />
          </div>
          <div className="fr-col-12">
            <TextField id="field-restored" label={labels.restored} required value={form.restored} onChange={set("restored")} error={errors.restored}
              hint="Par exemple : base de l'état civil du 3 mars, restaurée sur le serveur de test." />
          </div>
          <div className="fr-col-12">
            <TextAreaField id="field-notes" label={labels.notes} value={form.notes} onChange={set("notes")} error={errors.notes}
              hint="Obligatoires pour un test partiel ou échoué : ce qui n'a pas marché." />
          </div>
        </div>
        <button className="fr-btn" type="submit">Enregistrer le test</button>
      </form>
    </section>
  );
}
