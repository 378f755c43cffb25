"use client";

import Link from "next/link";
import { useState } from "react";
import type { Ticket, User } from "@/lib/api/types";
import { formatDateTime, ticketTitle } from "@/lib/format";
import { isStaff } from "@/lib/session";
import { StatusBadge } from "./StatusBadge";
import { TicketControls } from "./TicketControls";

/** The case summary pinned above the conversation: subject, description, status, people. */
export function TicketHeader({
  ticket: t,
  me,
  backHref,
  backLabel,
  onChange,
  children,
}: {
  ticket: Ticket;
  me: User;
  backHref: string;
  backLabel: string;
  onChange: (t: Ticket) => void;
  children?: React.ReactNode;
}) {
  const [expanded, setExpanded] = useState(false);
  const long = t.description.length > 220 || t.description.split("\n").length > 3;
  const staff = isStaff(me.role);

  return (
    <section aria-labelledby="ticket-title" className="shrink-0 border-b border-slate-200 bg-white" data-testid="ticket-summary">
      <div className="mx-auto max-w-3xl px-4 py-3">
        <Link href={backHref} className="text-xs text-slate-500 hover:text-slate-800">
          ← {backLabel}
        </Link>
        <div className="mt-1 flex flex-wrap items-start gap-x-3 gap-y-1">
          <h1 id="ticket-title" className="min-w-0 flex-1 text-lg font-semibold text-slate-900">
            <span className="mr-2 text-slate-500 tabular-nums">#{t.id}</span>
            {ticketTitle(t)}
          </h1>
          <StatusBadge status={t.status} />
        </div>
        <div className="mt-1.5">
          <p
            className={`whitespace-pre-wrap break-words text-sm text-slate-700 ${long && !expanded ? "line-clamp-2" : ""}`}
            data-testid="ticket-description"
          >
            {t.description}
          </p>
          {long && (
            <button
              type="button"
              className="text-xs font-medium text-brand-700 hover:underline"
              aria-expanded={expanded}
              onClick={() => setExpanded((x) => !x)}
            >
              {expanded ? "Show less" : "Show the whole description"}
            </button>
          )}
        </div>
        <dl className="mt-2 flex flex-wrap gap-x-5 gap-y-1 text-xs text-slate-500">
          <div className="flex gap-1">
            <dt>Opened by</dt>
            <dd className="text-slate-700" data-testid="ticket-creator">
              {t.created_by.display_name}
              {staff && <span className="hidden text-slate-500 sm:inline"> · {t.created_by.email}</span>}
            </dd>
          </div>
          <div className="flex gap-1">
            <dt>Assignee</dt>
            <dd className="text-slate-700" data-testid="ticket-assignee">
              {t.assigned_agent ? t.assigned_agent.display_name : "Unassigned"}
            </dd>
          </div>
          <div className="flex gap-1">
            <dt>Created</dt>
            <dd>{formatDateTime(t.created_at)}</dd>
          </div>
          {t.resolved_at && (
            <div className="flex gap-1">
              <dt>Resolved</dt>
              <dd>{formatDateTime(t.resolved_at)}</dd>
            </div>
          )}
          {t.closed_at && (
            <div className="flex gap-1">
              <dt>Closed</dt>
              <dd>{formatDateTime(t.closed_at)}</dd>
            </div>
          )}
        </dl>
        {staff && (
          <div className="mt-3">
            <TicketControls ticket={t} me={me} onChange={onChange} />
          </div>
        )}
        {children && <div className="mt-2">{children}</div>}
      </div>
    </section>
  );
}
