"use client";

import { ButtonLink } from "@/components/ui/Button";
import { useSession } from "@/lib/session";

/** "Open the app" when signed in, "Sign in" otherwise. */
export function LandingActions() {
  const session = useSession();
  if (session.status === "signed-in") {
    return (
      <div className="flex flex-wrap items-center gap-3">
        <ButtonLink href="/app">Open the app</ButtonLink>
        <span className="text-sm text-slate-500">Signed in as {session.user.display_name}</span>
      </div>
    );
  }
  return (
    <div className="flex flex-wrap gap-3">
      <ButtonLink href="/login">Sign in</ButtonLink>
      <ButtonLink href="/register" variant="secondary">
        Create an account
      </ButtonLink>
    </div>
  );
}
