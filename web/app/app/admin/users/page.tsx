import type { Metadata } from "next";
import { Suspense } from "react";
import { Users } from "@/components/admin/users/Users";
import { RoleGate } from "@/components/shell/RoleGate";

export const metadata: Metadata = { title: "Users" };

export default function AdminUsersPage() {
  return (
    <RoleGate allow={["admin"]}>
      <Suspense>
        <Users />
      </Suspense>
    </RoleGate>
  );
}
