import type { Metadata } from "next";
import { Suspense } from "react";
import { AllTickets } from "@/components/admin/AllTickets";
import { RoleGate } from "@/components/shell/RoleGate";

export const metadata: Metadata = { title: "All tickets" };

export default function AdminTicketsPage() {
  return (
    <RoleGate allow={["admin"]}>
      <Suspense>
        <AllTickets />
      </Suspense>
    </RoleGate>
  );
}
