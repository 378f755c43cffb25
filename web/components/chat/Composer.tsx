"use client";

import { useRef, useState, type ClipboardEvent } from "react";
import { Button } from "@/components/ui/Button";
import type { Attachment } from "@/lib/api/types";
import type { Uploads } from "@/lib/attachments/useUploads";
import { PaperclipIcon } from "./Attachments";
import { UploadTray } from "./UploadTray";

const MAX = 5000;

/** Clipboard files (a pasted screenshot); pasted text is left to the textarea. */
function pastedFiles(e: ClipboardEvent): File[] {
  return [...e.clipboardData.items].flatMap((item) => {
    const file = item.kind === "file" ? item.getAsFile() : null;
    return file ? [file] : [];
  });
}

/**
 * Write and send a message: Enter sends, Shift+Enter starts a new line. Files come from the
 * attach button, a paste (a screenshot) or a drop (see `FileDropZone`); each uploads at once
 * and the message carries those that arrived. Staff (`canWriteNotes`) can switch to an
 * internal note, which the customer never sees.
 */
export function Composer({
  disabledReason,
  canWriteNotes = false,
  uploads,
  onSend,
  onTyping,
}: {
  disabledReason: string | null;
  canWriteNotes?: boolean;
  uploads: Uploads;
  onSend: (content: string, internal: boolean, attachments: Attachment[]) => void;
  onTyping: (internal: boolean) => void;
}) {
  const [text, setText] = useState("");
  const [note, setNote] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const internal = canWriteNotes && note;
  const trimmed = text.trim();
  const tooLong = trimmed.length > MAX;
  const { ready, busy } = uploads;
  const canSend = (trimmed !== "" || ready.length > 0) && !tooLong && busy === 0;

  function submit() {
    if (!canSend || disabledReason) return;
    onSend(trimmed, internal, ready);
    uploads.clear();
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
      <UploadTray items={uploads.items} onRemove={uploads.remove} />
      <div className="mx-auto flex max-w-3xl items-end gap-2">
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            if (e.target.files?.length) uploads.add([...e.target.files]);
            // The same file can be chosen again after it was removed.
            e.target.value = "";
          }}
        />
        <Button
          variant="secondary"
          className="!px-2.5"
          title="Attach files"
          onClick={() => picker.current?.click()}
        >
          <PaperclipIcon className="size-5" />
          <span className="sr-only">Attach files</span>
        </Button>
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
          onPaste={(e) => {
            const files = pastedFiles(e);
            if (files.length === 0) return;
            uploads.add(files);
            // A screenshot alone has no text to paste; keep any text that came along.
            if (!e.clipboardData.types.includes("text/plain")) e.preventDefault();
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
          className="block max-h-40 min-h-[2.75rem] flex-1 resize-y rounded-xl border border-slate-300 px-3 py-2 text-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100"
        />
        <Button type="submit" disabled={!canSend}>
          {internal ? "Add note" : "Send"}
        </Button>
      </div>
      <p id="composer-help" className="mx-auto mt-1 max-w-3xl text-xs text-slate-500">
        {tooLong ? (
          <span className="text-red-700">
            {trimmed.length} / {MAX} characters: shorten the message to send it.
          </span>
        ) : busy > 0 ? (
          `Uploading ${busy === 1 ? "1 file" : `${busy} files`}… The message can be sent once ${busy === 1 ? "it has" : "they have"} arrived.`
        ) : (
          "Enter to send, Shift+Enter for a new line. Paste or drop files to attach them."
        )}
      </p>
    </form>
  );
}
