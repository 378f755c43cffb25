import type { Metadata } from "next";
import { Suspense } from "react";
import { Inbox } from "@/components/inbox/Inbox";
import { RoleGate } from "@/components/shell/RoleGate";

export const metadata: Metadata = { title: "Inbox" };

export default function InboxPage() {
  return (
    <RoleGate allow={["agent", "admin"]}>
      <Suspense>
        <Inbox />
      </Suspense>
    </RoleGate>
  );
}
