"use client";

import { PageBody, PageHeader } from "@/components/shell/PageHeader";
import { TicketFilters } from "@/components/tickets/TicketFilters";
import { TicketList } from "@/components/tickets/TicketList";
import { EmptyState } from "@/components/ui/Notice";
import type { TicketScope } from "@/lib/api/types";
import { useCurrentUser } from "@/lib/session";
import { useListParams } from "@/lib/useListParams";
import { useTicketList } from "@/lib/useTicketList";

const TABS: { scope: TicketScope; label: string; hint: string; empty: string }[] = [
  { scope: "available", label: "Available", hint: "Open tickets nobody has taken yet.", empty: "No ticket is waiting. New ones appear here as they arrive." },
  { scope: "mine", label: "Mine", hint: "Tickets assigned to you.", empty: "No ticket is assigned to you." },
  { scope: "all", label: "All", hint: "Everything you can see.", empty: "No tickets yet." },
];

/** The agent's inbox: available / mine / all, filtered by status and words, live. */
export function Inbox() {
  const me = useCurrentUser();
  const { params, status, q, set } = useListParams();
  const tab = TABS.find((t) => t.scope === params.get("tab")) ?? TABS[0]!;
  const list = useTicketList({ source: "tickets", scope: tab.scope, status, q }, me);
  const filtered = status.length > 0 || q !== "";

  return (
    <PageBody wide>
      <PageHeader title="Inbox" description={tab.hint} />
      <div
        role="tablist"
        aria-label="Inbox views"
        className="mb-4 flex gap-1 border-b border-slate-200"
        onKeyDown={(e) => {
          // Arrow keys move between tabs, as in any tab list.
          const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
          if (!step) return;
          const i = (TABS.indexOf(tab) + step + TABS.length) % TABS.length;
          set({ tab: TABS[i]!.scope });
          (e.currentTarget.children[i] as HTMLElement | undefined)?.focus();
        }}
      >
        {TABS.map((t) => {
          const selected = t.scope === tab.scope;
          return (
            <button
              key={t.scope}
              role="tab"
              type="button"
              aria-selected={selected}
              tabIndex={selected ? 0 : -1}
              onClick={() => set({ tab: t.scope })}
              className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${
                selected ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"
              }`}
            >
              {t.label}
            </button>
          );
        })}
      </div>
      <TicketFilters status={status} q={q} onStatusChange={(s) => set({ status: s })} onSearch={(x) => set({ q: x })} />
      <div role="tabpanel" aria-label={tab.label}>
        <TicketList
          list={list}
          hrefFor={(t) => `/app/inbox/${t.id}`}
          empty={<EmptyState title={filtered ? "No tickets match these filters." : tab.empty} />}
        />
      </div>
    </PageBody>
  );
}
