import { useId, type ComponentProps, type ReactNode } from "react";

const inputClass =
  "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs placeholder:text-slate-400 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100 aria-[invalid=true]:border-red-500";

type FieldProps = { label: string; error?: string; hint?: string; className?: string };

/** What the input inside a `Field` needs: its id, the look, and its error or hint tied to it. */
type ControlProps = {
  id: string;
  className: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
};

/** A label, the control it names, and the control's error (announced) or hint below it. */
function Field({ label, error, hint, className = "", children }: FieldProps & { children: (control: ControlProps) => ReactNode }) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children({
        id,
        className: inputClass,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": error ? `${id}-err` : hint ? `${id}-hint` : undefined,
      })}
      <FieldMessage id={id} error={error} hint={hint} />
    </div>
  );
}

/** A labelled input with its error announced and tied to it. */
export function TextField({ label, error, hint, className, ...rest }: FieldProps & ComponentProps<"input">) {
  return (
    <Field label={label} error={error} hint={hint} className={className}>
      {(control) => <input {...control} {...rest} />}
    </Field>
  );
}

/** A labelled textarea with its error announced and tied to it. */
export function TextArea({ label, error, hint, className, ...rest }: FieldProps & ComponentProps<"textarea">) {
  return (
    <Field label={label} error={error} hint={hint} className={className}>
      {(control) => <textarea {...control} {...rest} />}
    </Field>
  );
}

function FieldMessage({ id, error, hint }: { id: string; error?: string; hint?: string }) {
  if (error) {
    return (
      <p id={`${id}-err`} className="mt-1 text-sm text-red-700">
        {error}
      </p>
    );
  }
  if (hint) {
    return (
      <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
        {hint}
      </p>
    );
  }
  return null;
}

export const selectClass =
  "rounded-lg border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100";
