"use client";

import { ButtonLink } from "@/components/ui/Button";
import { PageMessage } from "@/components/ui/Notice";
import type { Role } from "@/lib/api/types";
import { homeFor, useCurrentUser } from "@/lib/session";

const WHO: Record<string, string> = {
  "agent,admin": "agents and admins",
  admin: "admins",
};

/** Renders its children only for the given roles; says "not allowed" plainly otherwise. */
export function RoleGate({ allow, children }: { allow: readonly Role[]; children: React.ReactNode }) {
  const user = useCurrentUser();
  if (allow.includes(user.role)) return <>{children}</>;
  return (
    <PageMessage
      title="Not allowed"
      action={<ButtonLink href={homeFor(user.role)}>Go to your home page</ButtonLink>}
    >
      This page is for {WHO[allow.join(",")] ?? allow.join(", ")} only. You are signed in as{" "}
      {user.display_name} with the role “{user.role}”.
    </PageMessage>
  );
}
