"use client";

import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { selectClass } from "@/components/ui/Field";
import { ACCOUNT_EVENT_KINDS, TICKET_EVENT_KINDS, type AuditKind } from "@/lib/api/types";
import { AUDIT_KIND_LABEL } from "@/lib/audit";

export type AuditFilterValues = {
  kind: AuditKind | "";
  actor: string;
  ticket: string;
  user: string;
  /** `datetime-local` values, in the reader's time zone. */
  from: string;
  to: string;
};

const inputClass = "w-full rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm";

/** Kind, actor, ticket, account and time range, applied together. */
export function AuditFilters({
  values,
  onApply,
}: {
  values: AuditFilterValues;
  onApply: (values: AuditFilterValues) => void;
}) {
  const [draft, setDraft] = useState(values);
  const set = (k: keyof AuditFilterValues) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  return (
    <form
      aria-label="Filter the audit log"
      className="mb-4 grid grid-cols-2 gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-3 lg:grid-cols-6"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      <div>
        <label htmlFor="audit-kind" className="mb-1 block text-sm text-slate-600">
          Event
        </label>
        <select id="audit-kind" className={`${selectClass} w-full`} value={draft.kind} onChange={set("kind")}>
          <option value="">All events</option>
          <optgroup label="Tickets">
            {TICKET_EVENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {AUDIT_KIND_LABEL[k]}
              </option>
            ))}
          </optgroup>
          <optgroup label="Accounts">
            {ACCOUNT_EVENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {AUDIT_KIND_LABEL[k]}
              </option>
            ))}
          </optgroup>
        </select>
      </div>
      <NumberFilter id="audit-actor" label="Actor (user id)" value={draft.actor} onChange={set("actor")} />
      <NumberFilter id="audit-ticket" label="Ticket id" value={draft.ticket} onChange={set("ticket")} />
      <NumberFilter id="audit-user" label="Account (user id)" value={draft.user} onChange={set("user")} />
      <div>
        <label htmlFor="audit-from" className="mb-1 block text-sm text-slate-600">
          From
        </label>
        <input id="audit-from" type="datetime-local" className={inputClass} value={draft.from} onChange={set("from")} />
      </div>
      <div>
        <label htmlFor="audit-to" className="mb-1 block text-sm text-slate-600">
          Until
        </label>
        <input id="audit-to" type="datetime-local" className={inputClass} value={draft.to} onChange={set("to")} />
      </div>
      <div className="col-span-full flex gap-2">
        <Button type="submit" variant="secondary">
          Apply filters
        </Button>
        <Button
          type="button"
          variant="ghost"
          onClick={() => {
            const empty: AuditFilterValues = { kind: "", actor: "", ticket: "", user: "", from: "", to: "" };
            setDraft(empty);
            onApply(empty);
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}

function NumberFilter({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
}) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm text-slate-600">
        {label}
      </label>
      <input id={id} type="number" min={1} inputMode="numeric" className={inputClass} value={value} onChange={onChange} />
    </div>
  );
}
