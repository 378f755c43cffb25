import type { Metadata } from "next";
import { Dashboard } from "@/components/admin/Dashboard";
import { RoleGate } from "@/components/shell/RoleGate";

export const metadata: Metadata = { title: "Dashboard" };

export default function AdminPage() {
  return (
    <RoleGate allow={["admin"]}>
      <Dashboard />
    </RoleGate>
  );
}
