"use client";

import { useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "@/lib/api/errors";

/** Messages to show under the form's fields, by field name. */
export type FieldErrors = Record<string, string>;

/** What a form makes of an API error it knows: a message above the form, or under fields. */
export type KnownFailure = { error: string } | { fields: FieldErrors };

/**
 * Sending a form to the API: read the values, check them locally, send them. The submit button
 * is busy while the request runs (and stays busy on success, while the page moves on); a
 * failure shows under the fields it names (the form's own `explain`, then the server's
 * per-field errors), or else as one message above the form.
 */
export function useSubmitForm<V>({
  read,
  check,
  send,
  explain,
}: {
  read: (form: FormData) => V;
  check?: (values: V) => FieldErrors;
  send: (values: V) => Promise<void>;
  explain?: (err: ApiError) => KnownFailure | null;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<FieldErrors>({});

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const values = read(new FormData(e.currentTarget));
    const local = check?.(values) ?? {};
    setError(null);
    setFields(local);
    if (Object.keys(local).length > 0) return;

    setBusy(true);
    try {
      await send(values);
    } catch (err) {
      const known = err instanceof ApiError ? explain?.(err) : null;
      if (known && "error" in known) setError(known.error);
      else if (known) setFields(known.fields);
      else if (err instanceof ApiError && Object.keys(err.fieldErrors()).length > 0) setFields(err.fieldErrors());
      else setError(errorMessage(err));
      setBusy(false);
    }
  }

  return { busy, error, fields, onSubmit };
}
