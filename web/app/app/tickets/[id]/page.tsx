import { TicketPage } from "@/components/tickets/TicketPage";

export default async function UserTicketPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <TicketPage id={id} area="tickets" />;
}
