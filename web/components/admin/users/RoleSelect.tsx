"use client";

import { selectClass } from "@/components/ui/Field";
import { ROLES, type Role, type User } from "@/lib/api/types";
import { ROLE_LABEL } from "@/lib/format";

/** An account's role; picking another one asks for confirmation (the value stays until then). */
export function RoleSelect({ user, self, onPick }: { user: User; self: boolean; onPick: (role: Role) => void }) {
  return (
    <>
      <label htmlFor={`role-${user.id}`} className="sr-only">
        Role of {user.display_name}
      </label>
      <select
        id={`role-${user.id}`}
        className={selectClass}
        value={user.role}
        disabled={self}
        title={self ? "You cannot change your own role." : undefined}
        onChange={(e) => onPick(e.target.value as Role)}
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {ROLE_LABEL[r]}
          </option>
        ))}
      </select>
    </>
  );
}
