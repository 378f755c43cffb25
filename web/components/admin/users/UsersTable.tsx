"use client";

import { Table, type Column } from "@/components/ui/Table";
import type { Role, User } from "@/lib/api/types";
import { formatDateTime, formatRelative } from "@/lib/format";
import { ActivationButton } from "./ActivationButton";
import { RoleSelect } from "./RoleSelect";

type RowActions = {
  onPickRole: (user: User, role: Role) => void;
  onPickActive: (user: User, active: boolean) => void;
};

const COLUMNS: Column[] = [
  { label: "Name" },
  { label: "Role" },
  { label: "Status" },
  { label: "Joined" },
  { label: "Last seen" },
  { label: <span className="sr-only">Actions</span> },
];

/** One row per account: who, role, status, when they joined and were last seen, actions. */
export function UsersTable({ users, meId, ...actions }: { users: User[]; meId: number } & RowActions) {
  return (
    <Table columns={COLUMNS} minWidth="min-w-[44rem]">
      {users.map((u) => (
        <UserRow key={u.id} user={u} self={u.id === meId} {...actions} />
      ))}
    </Table>
  );
}

function UserRow({ user, self, onPickRole, onPickActive }: { user: User; self: boolean } & RowActions) {
  return (
    <tr data-testid="user-row" data-user-id={user.id}>
      <td className="px-4 py-2.5">
        <div className="font-medium text-slate-900">
          {user.display_name} {self && <span className="text-xs font-normal text-slate-500">(you)</span>}
        </div>
        <div className="text-xs text-slate-500">{user.email}</div>
      </td>
      <td className="px-4 py-2.5">
        <RoleSelect user={user} self={self} onPick={(role) => onPickRole(user, role)} />
      </td>
      <td className="px-4 py-2.5">
        {user.is_active ? (
          <span className="text-emerald-700">Active</span>
        ) : (
          <span className="text-slate-500">Deactivated</span>
        )}
      </td>
      <td className="px-4 py-2.5 text-slate-600">{formatDateTime(user.created_at)}</td>
      <td className="px-4 py-2.5 text-slate-600">{formatRelative(user.last_seen_at)}</td>
      <td className="px-4 py-2.5 text-right">
        {!self && <ActivationButton user={user} onPick={(active) => onPickActive(user, active)} />}
      </td>
    </tr>
  );
}
