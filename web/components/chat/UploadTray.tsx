import type { Upload } from "@/lib/attachments/useUploads";
import { formatBytes } from "@/lib/attachments/files";
import { PaperclipIcon } from "./Attachments";

/**
 * The files on their way into the next message: a progress bar while each uploads, its
 * error when it was refused, and a button to cancel or take it off.
 */
export function UploadTray({ items, onRemove }: { items: readonly Upload[]; onRemove: (key: string) => void }) {
  if (items.length === 0) return null;
  return (
    <ul className="mx-auto mb-2 flex max-w-3xl flex-wrap gap-2" aria-label="Attached files" data-testid="upload-tray">
      {items.map((u) => (
        <li
          key={u.key}
          data-testid="upload"
          data-state={u.state}
          className={`flex w-60 items-start gap-2 rounded-lg border bg-white p-2 text-sm ${
            u.state === "failed" ? "border-red-300" : "border-slate-200"
          }`}
        >
          {u.preview ? (
            // eslint-disable-next-line @next/next/no-img-element -- a local object URL
            <img src={u.preview} alt="" className="size-10 shrink-0 rounded object-cover" />
          ) : (
            <span className="flex size-10 shrink-0 items-center justify-center rounded bg-slate-100 text-slate-500">
              <PaperclipIcon className="size-5" />
            </span>
          )}
          <div className="min-w-0 flex-1">
            <p className="truncate font-medium text-slate-800" title={u.name}>
              {u.name}
            </p>
            {u.state === "uploading" ? (
              <div
                role="progressbar"
                aria-label={`Uploading ${u.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(u.progress * 100)}
                className="mt-1.5 h-1.5 overflow-hidden rounded-full bg-slate-200"
              >
                <div className="h-full bg-brand-600 transition-[width]" style={{ width: `${u.progress * 100}%` }} />
              </div>
            ) : u.state === "failed" ? (
              <p role="alert" className="text-xs text-red-700">
                {u.error}
              </p>
            ) : (
              <p className="text-xs text-slate-600">{formatBytes(u.size)}</p>
            )}
          </div>
          <button
            type="button"
            onClick={() => onRemove(u.key)}
            aria-label={u.state === "uploading" ? `Cancel upload of ${u.name}` : `Remove ${u.name}`}
            title={u.state === "uploading" ? "Cancel upload" : "Remove"}
            className="-m-1 rounded p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
          >
            <svg aria-hidden viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth={1.8}>
              <path strokeLinecap="round" d="m5 5 10 10M15 5 5 15" />
            </svg>
          </button>
        </li>
      ))}
    </ul>
  );
}
