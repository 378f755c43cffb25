"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { errorMessage } from "@/lib/api/errors";
import type { Attachment } from "@/lib/api/types";
import { MAX_ATTACHMENTS, MAX_UPLOAD_BYTES, tooLargeMessage } from "./files";
import { UploadAborted, uploadAttachment } from "./upload";

/** One file in the composer: on its way up, stored, or refused. */
export type Upload = {
  key: string;
  name: string;
  size: number;
  /** A local preview for images (an object URL), while the composer shows the file. */
  preview: string | null;
} & (
  | { state: "uploading"; progress: number }
  | { state: "done"; attachment: Attachment }
  | { state: "failed"; error: string }
);

export type Uploads = {
  items: Upload[];
  /** Start uploading each file at once (too large ones are refused without a request). */
  add: (files: Iterable<File>) => void;
  /** Cancel an upload in flight, or take a file off the message. */
  remove: (key: string) => void;
  /** The stored files, in the order they were added. */
  ready: Attachment[];
  /** Files still on their way up. */
  busy: number;
  /** Empty the tray after the message went out (the stored files go with it). */
  clear: () => void;
};

let counter = 0;

const isImage = (f: File) => f.type.startsWith("image/") && f.type !== "image/svg+xml";

/**
 * The files being attached to the next message on one ticket: each one uploads as soon as
 * it is chosen (with progress), can be cancelled or removed, and is refused before any
 * request when it is over the size limit or the message already carries the most files.
 */
export function useUploads(ticketId: number): Uploads {
  const [items, setItems] = useState<Upload[]>([]);
  const itemsRef = useRef<Upload[]>([]);
  const controllers = useRef(new Map<string, AbortController>());

  const update = useCallback((fn: (items: Upload[]) => Upload[]) => {
    itemsRef.current = fn(itemsRef.current);
    setItems(itemsRef.current);
  }, []);

  const patch = useCallback(
    (key: string, next: Partial<Upload>) =>
      update((list) => list.map((u) => (u.key === key ? ({ ...u, ...next } as Upload) : u))),
    [update],
  );

  const add = useCallback(
    (files: Iterable<File>) => {
      const added: Upload[] = [];
      let room = MAX_ATTACHMENTS - itemsRef.current.filter((u) => u.state !== "failed").length;
      for (const file of files) {
        counter += 1;
        const base = { key: `u${counter}`, name: file.name || "file", size: file.size, preview: null };
        if (file.size > MAX_UPLOAD_BYTES) {
          added.push({ ...base, state: "failed", error: tooLargeMessage(base.name) });
          continue;
        }
        if (file.size === 0) {
          added.push({ ...base, state: "failed", error: `${base.name} is empty.` });
          continue;
        }
        if (room <= 0) {
          added.push({ ...base, state: "failed", error: `A message can carry at most ${MAX_ATTACHMENTS} files.` });
          continue;
        }
        room -= 1;
        const item: Upload = {
          ...base,
          preview: isImage(file) ? URL.createObjectURL(file) : null,
          state: "uploading",
          progress: 0,
        };
        added.push(item);
        const controller = new AbortController();
        controllers.current.set(item.key, controller);
        uploadAttachment(ticketId, file, {
          signal: controller.signal,
          onProgress: (fraction) => patch(item.key, { state: "uploading", progress: fraction }),
        })
          .then((attachment) => patch(item.key, { state: "done", attachment }))
          .catch((e: unknown) => {
            if (!(e instanceof UploadAborted)) patch(item.key, { state: "failed", error: errorMessage(e) });
          })
          .finally(() => controllers.current.delete(item.key));
      }
      if (added.length) update((list) => [...list, ...added]);
    },
    [ticketId, patch, update],
  );

  const remove = useCallback(
    (key: string) => {
      controllers.current.get(key)?.abort();
      const gone = itemsRef.current.find((u) => u.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      update((list) => list.filter((u) => u.key !== key));
    },
    [update],
  );

  const clear = useCallback(() => {
    for (const c of controllers.current.values()) c.abort();
    for (const u of itemsRef.current) if (u.preview) URL.revokeObjectURL(u.preview);
    update(() => []);
  }, [update]);

  // Leaving the ticket (or switching to another one) cancels what is still uploading and
  // empties the tray; stored but unsent files are removed by the server after a day.
  useEffect(() => clear, [ticketId, clear]);

  const ready = useMemo(
    () => items.flatMap((u) => (u.state === "done" ? [u.attachment] : [])),
    [items],
  );
  const busy = items.filter((u) => u.state === "uploading").length;

  return { items, add, remove, ready, busy, clear };
}
