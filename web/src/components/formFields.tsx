// DSFR form fields whose error message (from the API's `extensions.field` or the console's
// own checks) sits next to the field and is tied to it by aria-describedby.
import type { ReactNode } from "react";

type Common = {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  required?: boolean;
  className?: string;
};

function Messages({ id, error }: { id: string; error?: string | undefined }) {
  return (
    <div className="fr-messages-group" id={`${id}-messages`} aria-live="polite">
      {error ? (
        <p className="fr-message fr-message--error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

function Label({ id, label, hint, required }: Pick<Common, "id" | "label" | "hint" | "required">) {
  return (
    <label className="fr-label" htmlFor={id}>
      {label}
      {required ? <span aria-hidden="true"> *</span> : null}
      {hint ? <span className="fr-hint-text">{hint}</span> : null}
    </label>
  );
}

export function TextField({
  id,
  label,
  hint,
  error,
  required,
  className,
  value,
  onChange,
  type = "text",
  inputMode,
  autoComplete,
  disabled,
}: Common & {
  value: string;
  onChange: (v: string) => void;
  type?: "text" | "number" | "date" | "datetime-local" | "email";
  inputMode?: "numeric" | "text" | "decimal";
  autoComplete?: string;
  disabled?: boolean;
}) {
  return (
    <div className={`fr-input-group${error ? " fr-input-group--error" : ""}${className ? ` ${className}` : ""}`}>
      <Label id={id} label={label} hint={hint} required={required} />
      <input
        className={`fr-input${error ? " fr-input--error" : ""}`}
        id={id}
        name={id}
        type={type}
        inputMode={inputMode}
        value={value}
        required={required}
        disabled={disabled}
        aria-required={required || undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        autoComplete={autoComplete ?? "off"}
        onChange={(e) => onChange(e.target.value)}
      />
      <Messages id={id} error={error} />
    </div>
  );
}

export function TextAreaField({
  id,
  label,
  hint,
  error,
  required,
  className,
  value,
  onChange,
  rows = 3,
}: Common & { value: string; onChange: (v: string) => void; rows?: number }) {
  return (
    <div className={`fr-input-group${error ? " fr-input-group--error" : ""}${className ? ` ${className}` : ""}`}>
      <Label id={id} label={label} hint={hint} required={required} />
      <textarea
        className={`fr-input${error ? " fr-input--error" : ""}`}
        id={id}
        name={id}
        rows={rows}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <Messages id={id} error={error} />
    </div>
  );
}

export function SelectField({
  id,
  label,
  hint,
  error,
  required,
  className,
  value,
  onChange,
  options,
  placeholder,
}: Common & {
  value: string;
  onChange: (v: string) => void;
  options: { value: string; label: string }[];
  placeholder?: string;
}) {
  return (
    <div className={`fr-select-group${error ? " fr-select-group--error" : ""}${className ? ` ${className}` : ""}`}>
      <Label id={id} label={label} hint={hint} required={required} />
      <select
        className={`fr-select${error ? " fr-select--error" : ""}`}
        id={id}
        name={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Messages id={id} error={error} />
    </div>
  );
}

export function CheckboxField({
  id,
  label,
  hint,
  checked,
  onChange,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <div className="fr-checkbox-group fr-checkbox-group--sm">
      <input type="checkbox" id={id} name={id} checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label className="fr-label" htmlFor={id}>
        {label}
        {hint ? <span className="fr-hint-text">{hint}</span> : null}
      </label>
    </div>
  );
}

/** A group of fields (a list of entries) whose error concerns the whole group. */
export function FieldsetGroup({
  id,
  legend,
  hint,
  error,
  children,
}: {
  id: string;
  legend: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  children: ReactNode;
}) {
  return (
    <fieldset
      className={`fr-fieldset${error ? " fr-fieldset--error" : ""}`}
      id={id}
      aria-labelledby={`${id}-legend${error ? ` ${id}-error` : ""}`}
      tabIndex={-1}
    >
      <legend className="fr-fieldset__legend" id={`${id}-legend`}>
        {legend}
        {hint ? <span className="fr-hint-text">{hint}</span> : null}
      </legend>
      <div className="fr-fieldset__element">{children}</div>
      <div className="fr-messages-group" aria-live="polite">
        {error ? (
          <p className="fr-message fr-message--error" id={`${id}-error`}>
            {error}
          </p>
        ) : null}
      </div>
    </fieldset>
  );
}

/** The list of errors above a form, each a link to its field. */
export function ErrorSummary({
  errors,
  labels,
  general,
  summaryRef,
}: {
  errors: Record<string, string>;
  labels: Record<string, string>;
  general: string[];
  summaryRef?: React.Ref<HTMLDivElement>;
}) {
  const entries = Object.entries(errors);
  if (!entries.length && !general.length) return null;
  return (
    <div className="fr-alert fr-alert--error fr-mb-4w" role="alert" ref={summaryRef} tabIndex={-1}>
      <h2 className="fr-alert__title">
        {entries.length + general.length > 1 ? "Le formulaire contient des erreurs" : "Le formulaire contient une erreur"}
      </h2>
      <ul>
        {general.map((g, i) => (
          <li key={`g${i}`}>{g}</li>
        ))}
        {entries.map(([field, message]) => (
          <li key={field}>
            <a href={`#field-${field}`}>
              {labels[field] ?? field} : {message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
