"use client";

import Link from "next/link";
import { PageBody, PageHeader } from "@/components/shell/PageHeader";
import { Button } from "@/components/ui/Button";
import { LoadingState, Notice } from "@/components/ui/Notice";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/api/errors";
import type { AdminStats } from "@/lib/realtime";
import { useOnReconnect, useSocketEvent } from "@/lib/socket";
import { useApiQuery } from "@/lib/useApiQuery";

type Stat = { key: keyof AdminStats; label: string; hint: string; href?: string };

const GROUPS: { title: string; stats: Stat[] }[] = [
  {
    title: "Tickets",
    stats: [
      { key: "total_tickets", label: "All tickets", hint: "Every ticket ever opened.", href: "/app/admin/tickets" },
      { key: "open_tickets", label: "Open (waiting for an agent)", hint: "Status open: nobody has taken them.", href: "/app/admin/tickets?status=open" },
      { key: "assigned_tickets", label: "Assigned", hint: "Status assigned: an agent is on it.", href: "/app/admin/tickets?status=assigned" },
      { key: "resolved_tickets", label: "Resolved", hint: "Status resolved: answered, not yet closed.", href: "/app/admin/tickets?status=resolved" },
      { key: "closed_tickets", label: "Closed", hint: "Status closed: final.", href: "/app/admin/tickets?status=closed" },
    ],
  },
  {
    title: "Accounts",
    stats: [
      { key: "total_users", label: "Users", hint: "Active accounts with the role user.", href: "/app/admin/users?role=user" },
      { key: "total_agents", label: "Agents", hint: "Active accounts with the role agent.", href: "/app/admin/users?role=agent" },
      { key: "total_admins", label: "Admins", hint: "Active accounts with the role admin.", href: "/app/admin/users?role=admin" },
    ],
  },
  {
    title: "Live now",
    stats: [
      { key: "connected_clients", label: "Connected sockets", hint: "Signed-in Socket.IO connections across all API instances (one per open tab)." },
      { key: "connected_agents", label: "Agents online", hint: "Agents and admins with at least one connected socket.", href: "/app/admin/agents" },
      { key: "active_ticket_rooms", label: "Active ticket rooms", hint: "Tickets that someone has open right now." },
    ],
  },
];

/** The counts: loaded once, then kept current by `admin:stats` pushes (reloaded after a reconnect). */
export function Dashboard() {
  const stats = useApiQuery(() => unwrap(api().GET("/admin/stats")));
  useSocketEvent("admin:stats", (next) => stats.setData(next));
  useOnReconnect(() => void stats.reload());
  return (
    <PageBody wide>
      <PageHeader
        title="Dashboard"
        description="Counts update live."
        actions={
          <Button variant="secondary" busy={stats.loading && stats.data !== null} onClick={() => void stats.reload()}>
            Refresh
          </Button>
        }
      />
      {stats.error && (
        <Notice tone="error" title="Could not load the counts" className="mb-4">
          {stats.error}
        </Notice>
      )}
      {!stats.data && !stats.error && <LoadingState label="Loading counts…" />}
      {stats.data && (
        <div className="space-y-6">
          {GROUPS.map((g) => (
            <section key={g.title} aria-labelledby={`stats-${g.title}`}>
              <h2 id={`stats-${g.title}`} className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">
                {g.title}
              </h2>
              <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
                {g.stats.map((s) => (
                  <StatCard key={s.key} stat={s} value={stats.data![s.key]} />
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
    </PageBody>
  );
}

function StatCard({ stat, value }: { stat: Stat; value: number }) {
  const body = (
    <>
      <span className="block text-sm font-medium text-slate-700" id={`label-${stat.key}`}>
        {stat.label}
      </span>
      <span
        className="mt-1 block text-3xl font-semibold tabular-nums text-slate-900"
        data-testid={`stat-${stat.key}`}
        aria-describedby={`label-${stat.key}`}
      >
        {value}
      </span>
      <span className="mt-1 block text-xs text-slate-500">{stat.hint}</span>
    </>
  );
  const cls = "block rounded-xl border border-slate-200 bg-white p-4";
  return (
    <li>
      {stat.href ? (
        <Link href={stat.href} className={`${cls} h-full hover:border-brand-500`}>
          {body}
        </Link>
      ) : (
        <div className={`${cls} h-full`}>{body}</div>
      )}
    </li>
  );
}
