import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditLog } from "@/components/admin/audit/AuditLog";
import { RoleGate } from "@/components/shell/RoleGate";

export const metadata: Metadata = { title: "Audit log" };

export default function AdminAuditPage() {
  return (
    <RoleGate allow={["admin"]}>
      <Suspense>
        <AuditLog />
      </Suspense>
    </RoleGate>
  );
}
