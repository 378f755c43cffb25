import type { RoomMember } from "@/lib/realtime";
import { ROLE_LABEL } from "@/lib/format";

/** Who else has this ticket open right now. */
export function RoomMembers({ members, meId }: { members: RoomMember[]; meId: number }) {
  const others = members.filter((m) => m.id !== meId);
  return (
    <p className="text-xs text-slate-500" data-testid="room-members">
      {others.length === 0 ? (
        "Nobody else is here right now."
      ) : (
        <>
          Here now:{" "}
          {others.map((m, i) => (
            <span key={m.id}>
              {i > 0 && ", "}
              <span className="text-slate-700">{m.display_name}</span> ({ROLE_LABEL[m.role]})
            </span>
          ))}
        </>
      )}
    </p>
  );
}

/** "Ada is typing…": the line keeps its height so nothing moves when it appears. */
export function TypingIndicator({ typing }: { typing: RoomMember[] }) {
  let text = "";
  if (typing.length === 1) text = `${typing[0]!.display_name} is typing…`;
  else if (typing.length === 2) text = `${typing[0]!.display_name} and ${typing[1]!.display_name} are typing…`;
  else if (typing.length > 2) text = "Several people are typing…";
  return (
    <p className="h-5 shrink-0 px-4 text-xs italic text-slate-500" aria-live="polite" data-testid="typing-indicator">
      <span className="mx-auto block max-w-3xl">{text}</span>
    </p>
  );
}
