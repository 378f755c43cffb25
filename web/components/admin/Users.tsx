"use client";

import { useCallback, useEffect, useState } from "react";
import { PageBody, PageHeader } from "@/components/shell/PageHeader";
import { Button, Spinner } from "@/components/ui/Button";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { selectClass } from "@/components/ui/Field";
import { EmptyState, Notice } from "@/components/ui/Notice";
import { api } from "@/lib/api/client";
import { ApiError, errorMessage, unwrap } from "@/lib/api/errors";
import { ROLES, type Role, type User } from "@/lib/api/types";
import { formatDateTime, formatRelative, ROLE_LABEL } from "@/lib/format";
import { useCurrentUser } from "@/lib/session";
import { useListParams } from "@/lib/useListParams";

type Change =
  | { kind: "role"; user: User; role: Role }
  | { kind: "active"; user: User; active: boolean };

function describeFailure(e: unknown): string {
  if (e instanceof ApiError && e.code === "last_admin") {
    return "MyRelay needs at least one active admin: make someone else an admin first.";
  }
  if (e instanceof ApiError && e.status === 403) return "You cannot change your own account here.";
  return errorMessage(e);
}

/** Accounts: change a role, deactivate or reactivate, each after a confirmation. */
export function Users() {
  const me = useCurrentUser();
  const { params, q, set } = useListParams();
  const roleFilter = ROLES.find((r) => r === params.get("role"));

  const [items, setItems] = useState<User[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState(q);

  const [change, setChange] = useState<Change | null>(null);
  const [saving, setSaving] = useState(false);
  const [changeError, setChangeError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const fetchPage = useCallback(
    (after: string | null) =>
      unwrap(
        api().GET("/admin/users", {
          params: { query: { role: roleFilter, q: q.trim() || undefined, limit: 25, cursor: after ?? undefined } },
        }),
      ),
    [roleFilter, q],
  );

  useEffect(() => {
    let cancelled = false;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a new filter starts a new list
    setLoading(true);
    fetchPage(null)
      .then((page) => {
        if (cancelled) return;
        setItems(page.items);
        setCursor(page.next_cursor ?? null);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(errorMessage(e));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [fetchPage]);

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await fetchPage(cursor);
      setItems((cur) => [...cur, ...page.items.filter((u) => !cur.some((x) => x.id === u.id))]);
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  }

  async function apply() {
    if (!change) return;
    setSaving(true);
    setChangeError(null);
    try {
      const body = change.kind === "role" ? { role: change.role } : { is_active: change.active };
      const updated = await unwrap(
        api().PATCH("/admin/users/{id}", { params: { path: { id: change.user.id } }, body }),
      );
      setItems((cur) => cur.map((u) => (u.id === updated.id ? updated : u)));
      setDone(
        change.kind === "role"
          ? `${updated.display_name} is now ${ROLE_LABEL[updated.role].toLowerCase()}.`
          : `${updated.display_name} is ${updated.is_active ? "active again" : "deactivated"}.`,
      );
      setChange(null);
    } catch (e) {
      setChangeError(describeFailure(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <PageBody wide>
      <PageHeader title="Users" description="Change roles and deactivate accounts. Changes apply at once, to every open session." />
      <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <div className="flex items-center gap-2">
          <label htmlFor="role-filter" className="text-sm text-slate-600">
            Role
          </label>
          <select
            id="role-filter"
            className={selectClass}
            value={roleFilter ?? ""}
            onChange={(e) => set({ role: e.target.value || null })}
          >
            <option value="">All roles</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
        </div>
        <form
          role="search"
          className="flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            set({ q: search.trim() || null });
          }}
        >
          <label htmlFor="user-search" className="sr-only">
            Search by name or email
          </label>
          <input
            id="user-search"
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="Name or email"
            className="w-full min-w-0 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm sm:w-64"
          />
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </form>
      </div>
      {done && (
        <div className="mb-3">
          <Notice tone="success">{done}</Notice>
        </div>
      )}
      {error && (
        <div className="mb-3">
          <Notice tone="error" title="Could not load users">
            {error}
          </Notice>
        </div>
      )}
      {loading && items.length === 0 ? (
        <div className="p-8 text-center text-slate-600">
          <Spinner label="Loading users…" />
        </div>
      ) : items.length === 0 && !error ? (
        <EmptyState title="No accounts match." />
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
          <table className="w-full min-w-[44rem] text-left text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">Name</th>
                <th scope="col" className="px-4 py-2 font-medium">Role</th>
                <th scope="col" className="px-4 py-2 font-medium">Status</th>
                <th scope="col" className="px-4 py-2 font-medium">Joined</th>
                <th scope="col" className="px-4 py-2 font-medium">Last seen</th>
                <th scope="col" className="px-4 py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((u) => {
                const self = u.id === me.id;
                return (
                  <tr key={u.id} data-testid="user-row" data-user-id={u.id}>
                    <td className="px-4 py-2.5">
                      <div className="font-medium text-slate-900">
                        {u.display_name} {self && <span className="text-xs font-normal text-slate-500">(you)</span>}
                      </div>
                      <div className="text-xs text-slate-500">{u.email}</div>
                    </td>
                    <td className="px-4 py-2.5">
                      <label htmlFor={`role-${u.id}`} className="sr-only">
                        Role of {u.display_name}
                      </label>
                      <select
                        id={`role-${u.id}`}
                        className={selectClass}
                        value={u.role}
                        disabled={self}
                        title={self ? "You cannot change your own role." : undefined}
                        onChange={(e) => {
                          setChangeError(null);
                          setDone(null);
                          setChange({ kind: "role", user: u, role: e.target.value as Role });
                        }}
                      >
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABEL[r]}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td className="px-4 py-2.5">
                      {u.is_active ? (
                        <span className="text-emerald-700">Active</span>
                      ) : (
                        <span className="text-slate-500">Deactivated</span>
                      )}
                    </td>
                    <td className="px-4 py-2.5 text-slate-600">{formatDateTime(u.created_at)}</td>
                    <td className="px-4 py-2.5 text-slate-600">{formatRelative(u.last_seen_at)}</td>
                    <td className="px-4 py-2.5 text-right">
                      {!self && (
                        <Button
                          variant={u.is_active ? "secondary" : "primary"}
                          onClick={() => {
                            setChangeError(null);
                            setDone(null);
                            setChange({ kind: "active", user: u, active: !u.is_active });
                          }}
                        >
                          {u.is_active ? "Deactivate" : "Reactivate"}
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <div className="mt-3 flex justify-center">
          <Button variant="secondary" busy={loadingMore} onClick={() => void loadMore()}>
            Load more
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={change !== null}
        title={
          change?.kind === "role"
            ? `Make ${change.user.display_name} ${ROLE_LABEL[change.role].toLowerCase()}?`
            : change?.active
              ? `Reactivate ${change.user.display_name}?`
              : `Deactivate ${change?.user.display_name ?? ""}?`
        }
        confirmLabel={change?.kind === "role" ? "Change role" : change?.active ? "Reactivate" : "Deactivate"}
        danger={change?.kind === "active" && !change.active}
        busy={saving}
        error={changeError}
        onCancel={() => setChange(null)}
        onConfirm={() => void apply()}
      >
        {change?.kind === "role" &&
          `Their role changes from ${ROLE_LABEL[change.user.role].toLowerCase()} to ${ROLE_LABEL[change.role].toLowerCase()}. Their open sessions reconnect with the new role.`}
        {change?.kind === "active" &&
          (change.active
            ? "They will be able to sign in again."
            : "They are signed out everywhere at once and cannot sign in until reactivated. Their tickets stay.")}
      </ConfirmDialog>
    </PageBody>
  );
}
