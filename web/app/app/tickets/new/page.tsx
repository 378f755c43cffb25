import type { Metadata } from "next";
import { RoleGate } from "@/components/shell/RoleGate";
import { NewTicketForm } from "@/components/tickets/NewTicketForm";

export const metadata: Metadata = { title: "New ticket" };

export default function NewTicketPage() {
  return (
    <RoleGate allow={["user"]}>
      <NewTicketForm />
    </RoleGate>
  );
}
