import { TicketPage } from "@/components/tickets/TicketPage";

export default async function InboxTicketPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <TicketPage id={id} area="inbox" />;
}
