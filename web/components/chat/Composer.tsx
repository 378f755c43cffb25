"use client";

import { useState } from "react";
import { Button } from "@/components/ui/Button";

const MAX = 5000;

/**
 * Write and send a message: Enter sends, Shift+Enter starts a new line. Staff
 * (`canWriteNotes`) can switch to an internal note, which the customer never sees.
 */
export function Composer({
  disabledReason,
  canWriteNotes = false,
  onSend,
  onTyping,
}: {
  disabledReason: string | null;
  canWriteNotes?: boolean;
  onSend: (content: string, internal: boolean) => void;
  onTyping: (internal: boolean) => void;
}) {
  const [text, setText] = useState("");
  const [note, setNote] = useState(false);
  const internal = canWriteNotes && note;
  const trimmed = text.trim();
  const tooLong = trimmed.length > MAX;

  function submit() {
    if (!trimmed || tooLong || disabledReason) return;
    onSend(trimmed, internal);
    setText("");
  }

  if (disabledReason) {
    return (
      <div className="border-t border-slate-200 bg-white px-4 py-3 text-center text-sm text-slate-600">
        {disabledReason}
      </div>
    );
  }

  return (
    <form
      className={`border-t px-4 py-3 ${internal ? "border-amber-300 bg-amber-50" : "border-slate-200 bg-white"}`}
      data-testid="composer"
      data-internal={internal ? "true" : "false"}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {canWriteNotes && (
        <div className="mx-auto mb-2 flex max-w-3xl items-center gap-2 text-sm">
          <label className="inline-flex cursor-pointer items-center gap-2 font-medium text-slate-700">
            <input
              type="checkbox"
              role="switch"
              aria-checked={note}
              checked={note}
              onChange={(e) => setNote(e.target.checked)}
              className="h-4 w-4 rounded border-slate-400 accent-amber-600"
            />
            Internal note
          </label>
          {internal && <span className="text-xs text-amber-900">Only agents and admins will see this.</span>}
        </div>
      )}
      <div className="mx-auto flex max-w-3xl items-end gap-2">
        <label htmlFor="composer" className="sr-only">
          {internal ? "Note to staff" : "Message"}
        </label>
        <textarea
          id="composer"
          rows={2}
          value={text}
          placeholder={internal ? "Write an internal note…" : "Write a message…"}
          aria-describedby="composer-help"
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value) onTyping(internal);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
          className="block max-h-40 min-h-[2.75rem] flex-1 resize-y rounded-xl border border-slate-300 px-3 py-2 text-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100"
        />
        <Button type="submit" disabled={!trimmed || tooLong}>
          {internal ? "Add note" : "Send"}
        </Button>
      </div>
      <p id="composer-help" className="mx-auto mt-1 max-w-3xl text-xs text-slate-500">
        {tooLong ? (
          <span className="text-red-700">
            {trimmed.length} / {MAX} characters: shorten the message to send it.
          </span>
        ) : (
          "Enter to send, Shift+Enter for a new line."
        )}
      </p>
    </form>
  );
}
