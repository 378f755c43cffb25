"use client";

import { useState } from "react";
import { PageBody, PageHeader } from "@/components/shell/PageHeader";
import { Button } from "@/components/ui/Button";
import { EmptyState, LoadingState, Notice } from "@/components/ui/Notice";
import { ROLES } from "@/lib/api/types";
import { useCurrentUser } from "@/lib/session";
import { useListParams } from "@/lib/useListParams";
import { ConfirmAccountChange, type AccountChange } from "./ConfirmAccountChange";
import { UserFilters } from "./UserFilters";
import { UsersTable } from "./UsersTable";
import { useUserList } from "./useUserList";

/** Accounts: change a role, deactivate or reactivate, each after a confirmation. */
export function Users() {
  const me = useCurrentUser();
  const { params, q, set } = useListParams();
  const roleFilter = ROLES.find((r) => r === params.get("role"));
  const list = useUserList(roleFilter, q);
  const [change, setChange] = useState<AccountChange | null>(null);
  const [done, setDone] = useState<string | null>(null);

  function ask(next: AccountChange) {
    setDone(null);
    setChange(next);
  }

  return (
    <PageBody wide>
      <PageHeader title="Users" description="Change roles and deactivate accounts. Changes apply at once, to every open session." />
      <UserFilters
        role={roleFilter}
        q={q}
        onRoleChange={(role) => set({ role })}
        onSearch={(text) => set({ q: text })}
      />
      {done && (
        <Notice tone="success" className="mb-3">
          {done}
        </Notice>
      )}
      {list.error && (
        <Notice tone="error" title="Could not load users" className="mb-3">
          {list.error}
        </Notice>
      )}
      {list.loading && list.items.length === 0 ? (
        <LoadingState label="Loading users…" />
      ) : list.items.length === 0 && !list.error ? (
        <EmptyState title="No accounts match." />
      ) : (
        <UsersTable
          users={list.items}
          meId={me.id}
          onPickRole={(user, role) => ask({ kind: "role", user, role })}
          onPickActive={(user, active) => ask({ kind: "active", user, active })}
        />
      )}
      {list.hasMore && (
        <div className="mt-3 flex justify-center">
          <Button variant="secondary" busy={list.loadingMore} onClick={() => void list.loadMore()}>
            Load more
          </Button>
        </div>
      )}
      <ConfirmAccountChange
        change={change}
        onCancel={() => setChange(null)}
        onDone={(updated, summary) => {
          list.replace(updated);
          setDone(summary);
          setChange(null);
        }}
      />
    </PageBody>
  );
}
