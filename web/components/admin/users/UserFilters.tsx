"use client";

import { useState } from "react";
import { Button } from "@/components/ui/Button";
import { selectClass } from "@/components/ui/Field";
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
  onSearch: (q: string | null) => void;
}) {
  const [search, setSearch] = useState(q);
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
      <form
        role="search"
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(search.trim() || null);
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
  );
}
