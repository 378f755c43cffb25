"use client";

import { Button } from "@/components/ui/Button";
import type { User } from "@/lib/api/types";

/** Deactivate an active account, reactivate a deactivated one (after confirmation). */
export function ActivationButton({ user, onPick }: { user: User; onPick: (active: boolean) => void }) {
  return (
    <Button variant={user.is_active ? "secondary" : "primary"} onClick={() => onPick(!user.is_active)}>
      {user.is_active ? "Deactivate" : "Reactivate"}
    </Button>
  );
}
