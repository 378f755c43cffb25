import type { TicketStatus } from "@/lib/api/types";
import { STATUS_LABEL } from "@/lib/format";

const styles: Record<TicketStatus, string> = {
  open: "bg-sky-50 text-sky-800 ring-sky-200",
  assigned: "bg-violet-50 text-violet-800 ring-violet-200",
  resolved: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  closed: "bg-slate-100 text-slate-700 ring-slate-300",
};

export function StatusBadge({ status }: { status: TicketStatus }) {
  return (
    <span
      data-testid="ticket-status"
      className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${styles[status]}`}
    >
      {STATUS_LABEL[status]}
    </span>
  );
}
