"use client";

import { SearchForm } from "@/components/ui/SearchForm";
import { TICKET_STATUSES, type TicketStatus } from "@/lib/api/types";
import { STATUS_LABEL } from "@/lib/format";

/** Status toggles and a search box. */
export function TicketFilters({
  status,
  q,
  onStatusChange,
  onSearch,
  children,
}: {
  status: TicketStatus[];
  q: string;
  onStatusChange: (next: TicketStatus[]) => void;
  onSearch: (q: string) => void;
  children?: React.ReactNode;
}) {
  return (
    <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
      <fieldset className="flex flex-wrap items-center gap-1.5">
        <legend className="sr-only">Status</legend>
        <span aria-hidden className="mr-1 text-sm text-slate-500">
          Status
        </span>
        {TICKET_STATUSES.map((s) => {
          const on = status.includes(s);
          return (
            <button
              key={s}
              type="button"
              aria-pressed={on}
              onClick={() => onStatusChange(on ? status.filter((x) => x !== s) : [...status, s])}
              className={`rounded-full border px-2.5 py-1 text-xs font-medium ${
                on
                  ? "border-brand-500 bg-brand-50 text-brand-700"
                  : "border-slate-300 bg-white text-slate-600 hover:bg-slate-50"
              }`}
            >
              {STATUS_LABEL[s]}
            </button>
          );
        })}
        {children}
      </fieldset>
      <SearchForm label="Search tickets" placeholder="Search subjects, descriptions and messages" q={q} onSearch={onSearch} />
    </div>
  );
}
