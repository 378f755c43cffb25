"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { selectClass } from "@/components/ui/Field";
import { api } from "@/lib/api/client";
import { ApiError, errorMessage, unwrap } from "@/lib/api/errors";
import type { Ticket, User } from "@/lib/api/types";
import { STATUS_LABEL } from "@/lib/format";

type Action =
  | { kind: "assign"; label: string; agentId?: number | null }
  | { kind: "status"; label: string; status: "resolved" | "closed" | "assigned" };

/** What this person may do to this ticket now (SPEC §2), as buttons. */
export function availableActions(t: Ticket, me: User): Action[] {
  if (me.role === "user") return [];
  const admin = me.role === "admin";
  const mine = t.assigned_agent?.id === me.id;
  const out: Action[] = [];
  switch (t.status) {
    case "open":
      if (!t.assigned_agent) out.push({ kind: "assign", label: "Assign to me" });
      if (admin) out.push({ kind: "status", label: "Close", status: "closed" });
      break;
    case "assigned":
      if (mine || admin) {
        out.push({ kind: "status", label: "Resolve", status: "resolved" });
        out.push({ kind: "assign", label: mine ? "Release" : "Unassign", agentId: null });
      }
      if (admin && !mine) out.push({ kind: "assign", label: "Assign to me" });
      if (admin) out.push({ kind: "status", label: "Close", status: "closed" });
      break;
    case "resolved":
      if (mine || admin) {
        out.push({ kind: "status", label: "Reopen", status: "assigned" });
        out.push({ kind: "status", label: "Close", status: "closed" });
      }
      break;
    case "closed":
      break;
  }
  return out;
}

function describe(e: unknown): string {
  if (e instanceof ApiError && e.code === "invalid_transition" && e.problem?.current_status) {
    const allowed = e.problem.allowed ?? [];
    return `This ticket is now ${e.problem.current_status}${
      allowed.length ? `; from there it can go to ${allowed.join(" or ")}` : " and cannot change any more"
    }.`;
  }
  if (e instanceof ApiError && e.code === "already_assigned") {
    return "Another agent took this ticket a moment ago.";
  }
  return errorMessage(e);
}

export function TicketControls({ ticket, me, onChange }: { ticket: Ticket; me: User; onChange: (t: Ticket) => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmClose, setConfirmClose] = useState(false);
  const actions = availableActions(ticket, me);

  async function run(action: Action) {
    setBusy(action.label);
    setError(null);
    try {
      const id = ticket.id;
      const updated =
        action.kind === "assign"
          ? await unwrap(
              api().PATCH("/tickets/{id}/assign", {
                params: { path: { id } },
                body: action.agentId === undefined ? {} : { agent_id: action.agentId },
              }),
            )
          : await unwrap(
              api().PATCH("/tickets/{id}/status", { params: { path: { id } }, body: { status: action.status } }),
            );
      onChange(updated);
      setConfirmClose(false);
    } catch (e) {
      setError(describe(e));
      setConfirmClose(false);
      // Show the ticket as it is now, whatever we thought it was.
      try {
        onChange(await unwrap(api().GET("/tickets/{id}", { params: { path: { id: ticket.id } } })));
      } catch {
        /* the error above says enough */
      }
    } finally {
      setBusy(null);
    }
  }

  if (actions.length === 0 && me.role !== "admin") return null;
  const close = actions.find((a) => a.kind === "status" && a.status === "closed");

  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Ticket actions">
        {actions.map((a) =>
          a === close ? (
            <Button key={a.label} variant="secondary" disabled={busy !== null} onClick={() => setConfirmClose(true)}>
              {a.label}
            </Button>
          ) : (
            <Button
              key={a.label}
              variant={a.label === "Assign to me" || a.label === "Resolve" ? "primary" : "secondary"}
              busy={busy === a.label}
              disabled={busy !== null}
              onClick={() => void run(a)}
            >
              {a.label}
            </Button>
          ),
        )}
        {me.role === "admin" && ticket.status !== "closed" && ticket.status !== "resolved" && (
          <AssignToAgent ticket={ticket} disabled={busy !== null} onAssign={(agentId) => void run({ kind: "assign", label: "Assign", agentId })} />
        )}
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {close && (
        <ConfirmDialog
          open={confirmClose}
          title={`Close ticket #${ticket.id}?`}
          confirmLabel="Close ticket"
          danger
          busy={busy === close.label}
          onCancel={() => setConfirmClose(false)}
          onConfirm={() => void run(close)}
        >
          Closing is final: the ticket moves from {STATUS_LABEL[ticket.status].toLowerCase()} to closed and nobody can
          send messages in it any more.
        </ConfirmDialog>
      )}
    </div>
  );
}

/** Admin only: hand the ticket to any active agent or admin. */
function AssignToAgent({ ticket, disabled, onAssign }: { ticket: Ticket; disabled: boolean; onAssign: (agentId: number) => void }) {
  const [agents, setAgents] = useState<User[] | null>(null);
  const [choice, setChoice] = useState("");

  useEffect(() => {
    let cancelled = false;
    unwrap(api().GET("/admin/agents"))
      .then((res) => {
        if (!cancelled) setAgents(res.items.map((a) => a.user).filter((u) => u.is_active));
      })
      .catch(() => {
        if (!cancelled) setAgents([]);
      });
    return () => {
      cancelled = true;
    };
  }, []);

  const options = (agents ?? []).filter((u) => u.id !== ticket.assigned_agent?.id);
  return (
    <form
      className="flex items-center gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (choice) onAssign(Number(choice));
      }}
    >
      <label htmlFor={`assign-${ticket.id}`} className="sr-only">
        Assign to agent
      </label>
      <select
        id={`assign-${ticket.id}`}
        className={selectClass}
        value={choice}
        onChange={(e) => setChoice(e.target.value)}
        disabled={disabled || agents === null}
      >
        <option value="">{agents === null ? "Loading agents…" : "Assign to…"}</option>
        {options.map((u) => (
          <option key={u.id} value={u.id}>
            {u.display_name} ({u.role})
          </option>
        ))}
      </select>
      <Button type="submit" variant="secondary" disabled={disabled || !choice}>
        Assign
      </Button>
    </form>
  );
}
