// A list of entries the person adds and removes (legal bases, data categories, retention...).
import type { ReactNode } from "react";
import { FieldsetGroup } from "../../components/formFields";

export function RepeatableList<T>({
  id,
  legend,
  hint,
  error,
  items,
  onChange,
  make,
  addLabel,
  itemLabel,
  render,
}: {
  id: string;
  legend: string;
  hint?: ReactNode;
  error?: string | undefined;
  items: T[];
  onChange: (items: T[]) => void;
  make: () => T;
  addLabel: string;
  itemLabel: (index: number) => string;
  render: (item: T, update: (patch: Partial<T>) => void, index: number) => ReactNode;
}) {
  return (
    <FieldsetGroup id={id} legend={legend} hint={hint} error={error}>
      {items.length === 0 ? <p className="fr-text--sm fr-mb-2w">Aucune entrée.</p> : null}
      {items.map((item, i) => (
        <div key={i} className="fr-p-2w fr-mb-2w" style={{ border: "1px solid var(--border-default-grey)" }}>
          <p className="fr-text--bold fr-mb-1w">{itemLabel(i)}</p>
          {render(item, (patch) => onChange(items.map((x, j) => (j === i ? { ...x, ...patch } : x))), i)}
          <button
            type="button"
            className="fr-btn fr-btn--tertiary fr-btn--sm fr-icon-delete-line fr-btn--icon-left"
            onClick={() => onChange(items.filter((_, j) => j !== i))}
          >
            Retirer ({itemLabel(i).toLowerCase()})
          </button>
        </div>
      ))}
      <button
        type="button"
        className="fr-btn fr-btn--secondary fr-btn--sm fr-icon-add-line fr-btn--icon-left"
        onClick={() => onChange([...items, make()])}
      >
        {addLabel}
      </button>
    </FieldsetGroup>
  );
}
