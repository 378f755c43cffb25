"use client";

import { Composer } from "@/components/chat/Composer";
import { FileDropZone } from "@/components/chat/FileDropZone";
import { MessageList } from "@/components/chat/MessageList";
import { RoomMembers, TypingIndicator } from "@/components/chat/RoomPresence";
import { ButtonLink, Spinner } from "@/components/ui/Button";
import { Notice, PageMessage } from "@/components/ui/Notice";
import { useUploads } from "@/lib/attachments/useUploads";
import { useMarkRead } from "@/lib/inbox/useMarkRead";
import { useCurrentUser } from "@/lib/session";
import { useTicketRoom } from "@/lib/ticketRoom/useTicketRoom";
import { TicketHeader } from "./TicketHeader";

/** A ticket's page: the pinned case summary, the live conversation and the composer. */
export function TicketView({ ticketId, backHref, backLabel }: { ticketId: number; backHref: string; backLabel: string }) {
  const me = useCurrentUser();
  const { connection, room, history, outbox, typing, events } = useTicketRoom(ticketId);
  const { ticket } = room;
  const markRead = useMarkRead(ticketId, me.id);
  const uploads = useUploads(ticketId);

  if (room.ticketError && !ticket) {
    const notFound = room.ticketError.status === 404 || room.ticketError.status === 422 || room.ticketError.status === 400;
    return notFound ? (
      <PageMessage title="Ticket not found" action={<ButtonLink href={backHref}>{backLabel}</ButtonLink>}>
        There is no ticket #{ticketId}, or you do not have access to it.
      </PageMessage>
    ) : (
      <PageMessage title="Could not open this ticket" action={<ButtonLink href={backHref}>{backLabel}</ButtonLink>}>
        {room.ticketError.message}
      </PageMessage>
    );
  }
  if (!ticket) {
    return (
      <div className="flex flex-1 items-center justify-center p-10 text-slate-600">
        <Spinner label="Loading ticket…" />
      </div>
    );
  }

  const disabledReason = room.accessLost
    ? "You no longer have access to this ticket."
    : ticket.status === "closed"
      ? "This ticket is closed. No new messages can be sent."
      : null;

  return (
    <div className="flex min-h-0 min-w-0 flex-1 flex-col" data-testid="ticket-view" data-ticket-id={ticket.id}>
      <TicketHeader ticket={ticket} me={me} backHref={backHref} backLabel={backLabel} onChange={room.updateTicket}>
        {room.accessLost ? (
          <Notice tone="warning">
            This ticket has left your view (for example, another agent took it). What you see is no longer updated.
          </Notice>
        ) : (
          <div className="flex flex-wrap items-center justify-between gap-2">
            <RoomMembers members={room.members} meId={me.id} />
            {connection !== "connected" && (
              <span className="text-xs text-amber-700" role="status">
                Live updates paused; missed messages will load when the connection is back.
              </span>
            )}
          </div>
        )}
      </TicketHeader>
      <FileDropZone disabled={disabledReason !== null} onFiles={uploads.add}>
        <MessageList
          me={me}
          messages={history.messages}
          events={events}
          pending={outbox.pending}
          loading={history.status === "loading"}
          error={history.status === "error" ? history.error : null}
          hasOlder={history.hasOlder}
          loadingOlder={history.loadingOlder}
          onLoadOlder={() => void history.loadOlder()}
          onRetry={outbox.retry}
          onDiscard={outbox.discard}
          onNewestSeen={markRead}
        />
        <TypingIndicator typing={typing.typing} />
        <Composer
          disabledReason={disabledReason}
          canWriteNotes={me.role !== "user"}
          uploads={uploads}
          onSend={outbox.send}
          onTyping={typing.notifyTyping}
        />
      </FileDropZone>
    </div>
  );
}
