"use client";

import { useState } from "react";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { api } from "@/lib/api/client";
import { ApiError, errorMessage, unwrap } from "@/lib/api/errors";
import type { Role, User } from "@/lib/api/types";
import { ROLE_LABEL } from "@/lib/format";

/** A change an admin asked for and has yet to confirm. */
export type AccountChange =
  | { kind: "role"; user: User; role: Role }
  | { kind: "active"; user: User; active: boolean };

function describeFailure(e: unknown): string {
  if (e instanceof ApiError && e.code === "last_admin") {
    return "MyRelay needs at least one active admin: make someone else an admin first.";
  }
  if (e instanceof ApiError && e.status === 403) return "You cannot change your own account here.";
  return errorMessage(e);
}

function role(r: User["role"]): string {
  return ROLE_LABEL[r].toLowerCase();
}

/** "Make Ada agent?" / "Deactivate Ada?": says what will happen, applies the change on confirm. */
export function ConfirmAccountChange({
  change,
  onCancel,
  onDone,
}: {
  change: AccountChange | null;
  onCancel: () => void;
  /** The account as it is now, and a sentence saying what changed. */
  onDone: (updated: User, summary: string) => void;
}) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function apply() {
    if (!change) return;
    setSaving(true);
    setError(null);
    try {
      const body = change.kind === "role" ? { role: change.role } : { is_active: change.active };
      const updated = await unwrap(
        api().PATCH("/admin/users/{id}", { params: { path: { id: change.user.id } }, body }),
      );
      onDone(
        updated,
        change.kind === "role"
          ? `${updated.display_name} is now ${role(updated.role)}.`
          : `${updated.display_name} is ${updated.is_active ? "active again" : "deactivated"}.`,
      );
    } catch (e) {
      setError(describeFailure(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <ConfirmDialog
      open={change !== null}
      title={
        change?.kind === "role"
          ? `Make ${change.user.display_name} ${role(change.role)}?`
          : change?.active
            ? `Reactivate ${change.user.display_name}?`
            : `Deactivate ${change?.user.display_name ?? ""}?`
      }
      confirmLabel={change?.kind === "role" ? "Change role" : change?.active ? "Reactivate" : "Deactivate"}
      danger={change?.kind === "active" && !change.active}
      busy={saving}
      error={error}
      onCancel={() => {
        setError(null);
        onCancel();
      }}
      onConfirm={() => void apply()}
    >
      {change?.kind === "role" &&
        `Their role changes from ${role(change.user.role)} to ${role(change.role)}. Their open sessions reconnect with the new role.`}
      {change?.kind === "active" &&
        (change.active
          ? "They will be able to sign in again."
          : "They are signed out everywhere at once and cannot sign in until reactivated. Their tickets stay.")}
    </ConfirmDialog>
  );
}
