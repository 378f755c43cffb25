"use client";

import { useState } from "react";
import { Button } from "@/components/ui/Button";
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
  const [text, setText] = useState(q);
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
      <form
        role="search"
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(text);
        }}
      >
        <label htmlFor="ticket-search" className="sr-only">
          Search tickets
        </label>
        <input
          id="ticket-search"
          type="search"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value === "" && q !== "") onSearch("");
          }}
          placeholder="Search subject and description"
          className="w-full min-w-0 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm sm:w-64"
        />
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
    </div>
  );
}
