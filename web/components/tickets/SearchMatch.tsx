import { Fragment } from "react";
import type { SearchMatch as Match } from "@/lib/api/types";

const WHERE: Record<Match["field"], string> = {
  subject: "in the subject",
  description: "in the description",
  message: "in a message",
  note: "in an internal note",
};

/** Where a search matched, with the matching words highlighted (as text, never as HTML). */
export function SearchMatch({ match }: { match: Match }) {
  return (
    <p className="mt-0.5 line-clamp-2 text-sm text-slate-700" data-testid="search-match" data-field={match.field}>
      <span className="mr-1 text-xs font-medium text-slate-500">
        Matched {WHERE[match.field]}
        {match.field === "message" && match.seq ? ` #${match.seq}` : ""}:
      </span>
      {match.excerpt.map((part, i) =>
        part.hit ? (
          <mark key={i} className="rounded-sm bg-amber-100 px-0.5 text-slate-900">
            {part.text}
          </mark>
        ) : (
          <Fragment key={i}>{part.text}</Fragment>
        ),
      )}
    </p>
  );
}
