import type { Attachment } from "@/lib/api/types";
import { attachmentUrl, formatBytes, isInlineImage } from "@/lib/attachments/files";

/** A paperclip, for buttons and chips that stand for files. */
export function PaperclipIcon({ className = "size-4" }: { className?: string }) {
  return (
    <svg aria-hidden viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth={1.6} className={className}>
      <path
        strokeLinecap="round"
        strokeLinejoin="round"
        d="M15.5 9.5 10 15a3.5 3.5 0 0 1-5-5l6-6a2.3 2.3 0 0 1 3.3 3.3l-6 6a1.2 1.2 0 0 1-1.7-1.7L12 6.2"
      />
    </svg>
  );
}

/**
 * The files a message or note carries: pictures as thumbnails that open the full image in
 * a new tab, other files as chips (name, size) that download. Every link goes to the API,
 * which checks on each request that the reader may see the message.
 */
export function Attachments({ attachments, afterText }: { attachments: readonly Attachment[]; afterText: boolean }) {
  if (attachments.length === 0) return null;
  const images = attachments.filter((a) => isInlineImage(a.content_type));
  const files = attachments.filter((a) => !isInlineImage(a.content_type));
  return (
    <div className={`flex flex-col gap-1.5 ${afterText ? "mt-2" : ""}`} data-testid="attachments">
      {images.length > 0 && (
        <ul className="flex flex-wrap gap-1.5" aria-label="Images">
          {images.map((a) => (
            <li key={a.id}>
              <ImageThumbnail attachment={a} />
            </li>
          ))}
        </ul>
      )}
      {files.length > 0 && (
        <ul className="flex flex-col gap-1" aria-label="Files">
          {files.map((a) => (
            <li key={a.id}>
              <FileChip attachment={a} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ImageThumbnail({ attachment: a }: { attachment: Attachment }) {
  const url = attachmentUrl(a.id);
  return (
    <a
      href={url}
      target="_blank"
      rel="noopener noreferrer"
      title={`${a.filename} (${formatBytes(a.size)}), opens in a new tab`}
      data-testid="attachment-image"
      data-attachment-id={a.id}
      className="inline-block overflow-hidden rounded-lg border border-slate-200 bg-white align-top"
    >
      {/* eslint-disable-next-line @next/next/no-img-element -- served by the API with cookie auth, not optimisable by next/image */}
      <img src={url} alt={a.filename} loading="lazy" className="block max-h-48 max-w-64 object-contain" />
    </a>
  );
}

function FileChip({ attachment: a }: { attachment: Attachment }) {
  return (
    <a
      href={attachmentUrl(a.id)}
      download={a.filename}
      data-testid="attachment-file"
      data-attachment-id={a.id}
      className="inline-flex max-w-full items-center gap-2 rounded-lg border border-slate-200 bg-white px-2.5 py-1.5 text-sm text-slate-800 hover:bg-slate-50"
    >
      <PaperclipIcon className="size-4 shrink-0 text-slate-500" />
      <span className="min-w-0 truncate font-medium">{a.filename}</span>
      <span className="shrink-0 text-xs text-slate-600">{formatBytes(a.size)}</span>
      <span className="sr-only">, download</span>
    </a>
  );
}
