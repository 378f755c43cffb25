"use client";

import { selectClass } from "@/components/ui/Field";
import { SearchForm } from "@/components/ui/SearchForm";
import { ROLES, type Role } from "@/lib/api/types";
import { ROLE_LABEL } from "@/lib/format";

/** The role filter and the name-or-email search above the users table. */
export function UserFilters({
  role,
  q,
  onRoleChange,
  onSearch,
}: {
  role: Role | undefined;
  q: string;
  onRoleChange: (role: string | null) => void;
  onSearch: (q: string) => void;
}) {
  return (
    <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
      <div className="flex items-center gap-2">
        <label htmlFor="role-filter" className="text-sm text-slate-600">
          Role
        </label>
        <select
          id="role-filter"
          className={selectClass}
          value={role ?? ""}
          onChange={(e) => onRoleChange(e.target.value || null)}
        >
          <option value="">All roles</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABEL[r]}
            </option>
          ))}
        </select>
      </div>
      <SearchForm label="Search by name or email" placeholder="Name or email" q={q} onSearch={onSearch} />
    </div>
  );
}
