import { ApiError } from "@/lib/api/errors";
import type { Attachment, Problem } from "@/lib/api/types";
import { apiBaseUrl } from "@/lib/config";
import { tooLargeMessage } from "./files";

/** An upload the person cancelled: not an error to show. */
export class UploadAborted extends Error {
  constructor() {
    super("Upload cancelled.");
    this.name = "UploadAborted";
  }
}

function parseProblem(text: string): Problem | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && "code" in value && "detail" in value
      ? (value as Problem)
      : null;
  } catch {
    return null;
  }
}

/**
 * `POST /tickets/{id}/attachments` with the file as the one `file` part. XMLHttpRequest,
 * not the generated fetch client, because only XHR reports upload progress. Resolves with
 * the stored attachment; rejects with an `ApiError` (a 413 worded like our own size check),
 * or `UploadAborted` when `signal` fires.
 */
export function uploadAttachment(
  ticketId: number,
  file: File,
  { onProgress, signal }: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {},
): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new UploadAborted());
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${apiBaseUrl()}/tickets/${ticketId}/attachments`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress?.(e.loaded / e.total);
    };
    const onAbort = () => xhr.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const settle = () => signal?.removeEventListener("abort", onAbort);
    xhr.onload = () => {
      settle();
      if (xhr.status === 201 || xhr.status === 200) {
        try {
          return resolve(JSON.parse(xhr.responseText) as Attachment);
        } catch {
          return reject(new ApiError(xhr.status, null, "The server sent an answer we could not read."));
        }
      }
      const problem = parseProblem(xhr.responseText);
      reject(
        xhr.status === 413
          ? new ApiError(413, problem, tooLargeMessage(file.name))
          : new ApiError(xhr.status, problem),
      );
    };
    xhr.onerror = () => {
      settle();
      reject(new ApiError(0, null));
    };
    xhr.onabort = () => {
      settle();
      reject(new UploadAborted());
    };
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
