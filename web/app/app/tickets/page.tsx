import type { Metadata } from "next";
import { Suspense } from "react";
import { MyTickets } from "@/components/tickets/MyTickets";
import { RoleGate } from "@/components/shell/RoleGate";

export const metadata: Metadata = { title: "My tickets" };

export default function MyTicketsPage() {
  return (
    <RoleGate allow={["user"]}>
      <Suspense>
        <MyTickets />
      </Suspense>
    </RoleGate>
  );
}
