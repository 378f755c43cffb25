"use client";

import { useState } from "react";
import { Button } from "@/components/ui/Button";

const MAX = 5000;

/** Write and send a message: Enter sends, Shift+Enter starts a new line. */
export function Composer({
  disabledReason,
  onSend,
  onTyping,
}: {
  disabledReason: string | null;
  onSend: (content: string) => void;
  onTyping: () => void;
}) {
  const [text, setText] = useState("");
  const trimmed = text.trim();
  const tooLong = trimmed.length > MAX;

  function submit() {
    if (!trimmed || tooLong || disabledReason) return;
    onSend(trimmed);
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
      className="border-t border-slate-200 bg-white px-4 py-3"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="mx-auto flex max-w-3xl items-end gap-2">
        <label htmlFor="composer" className="sr-only">
          Message
        </label>
        <textarea
          id="composer"
          rows={2}
          value={text}
          placeholder="Write a message…"
          aria-describedby="composer-help"
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value) onTyping();
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
          Send
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
