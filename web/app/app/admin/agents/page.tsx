import type { Metadata } from "next";
import { Agents } from "@/components/admin/Agents";
import { RoleGate } from "@/components/shell/RoleGate";

export const metadata: Metadata = { title: "Agents" };

export default function AdminAgentsPage() {
  return (
    <RoleGate allow={["admin"]}>
      <Agents />
    </RoleGate>
  );
}
