"use client";

import { PageBody, PageHeader } from "@/components/shell/PageHeader";
import { Button } from "@/components/ui/Button";
import { EmptyState, LoadingState, Notice } from "@/components/ui/Notice";
import { Table, type Column } from "@/components/ui/Table";
import { api } from "@/lib/api/client";
import { unwrap } from "@/lib/api/errors";
import { formatRelative, ROLE_LABEL } from "@/lib/format";
import { useApiQuery } from "@/lib/useApiQuery";

const COLUMNS: Column[] = [
  { label: "Agent" },
  { label: "Online" },
  { label: "Assigned, open", numeric: true },
  { label: "Resolved", numeric: true },
  { label: "Closed", numeric: true },
  { label: "Last seen" },
];

/** Agents and admins: who is online and how much each is carrying. */
export function Agents() {
  const agents = useApiQuery(() => unwrap(api().GET("/admin/agents")), 10000);
  const items = agents.data?.items ?? [];
  return (
    <PageBody wide>
      <PageHeader
        title="Agents"
        description="Workload per agent; refreshes every 10 seconds."
        actions={
          <Button variant="secondary" onClick={() => void agents.reload()}>
            Refresh
          </Button>
        }
      />
      {agents.error && <Notice tone="error" title="Could not load agents">{agents.error}</Notice>}
      {!agents.data && !agents.error && <LoadingState label="Loading agents…" />}
      {agents.data && items.length === 0 && (
        <EmptyState title="No agents yet.">Make someone an agent on the Users page.</EmptyState>
      )}
      {items.length > 0 && (
        <Table columns={COLUMNS} minWidth="min-w-[40rem]">
          {items.map(({ user, assigned_open, resolved, closed, online }) => (
            <tr key={user.id} data-testid="agent-row">
              <td className="px-4 py-2.5">
                <div className="font-medium text-slate-900">{user.display_name}</div>
                <div className="text-xs text-slate-500">
                  {user.email} · {ROLE_LABEL[user.role]}
                  {!user.is_active && " · deactivated"}
                </div>
              </td>
              <td className="px-4 py-2.5">
                <span className="inline-flex items-center gap-1.5">
                  <span aria-hidden className={`size-2 rounded-full ${online ? "bg-emerald-500" : "bg-slate-300"}`} />
                  {online ? "Online" : "Offline"}
                </span>
              </td>
              <td className="px-4 py-2.5 text-right tabular-nums">{assigned_open}</td>
              <td className="px-4 py-2.5 text-right tabular-nums">{resolved}</td>
              <td className="px-4 py-2.5 text-right tabular-nums">{closed}</td>
              <td className="px-4 py-2.5 text-slate-600">{formatRelative(user.last_seen_at)}</td>
            </tr>
          ))}
        </Table>
      )}
    </PageBody>
  );
}
