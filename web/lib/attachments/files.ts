/**
 * Attachments as the conversation shows them (SPEC §13): where a file is downloaded from,
 * whether it can be shown as a picture, how big it is in words, how large it may be.
 */
import { apiBaseUrl } from "@/lib/config";

/**
 * The largest file the API accepts by default (`MYRELAY_MAX_UPLOAD`, 10 MiB). Larger files
 * are refused before they are sent; the server's 413 gets the same message.
 */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** How many files one message may carry. */
export const MAX_ATTACHMENTS = 10;

/**
 * The raster types the API serves inline, so an `<img>` can show them. Everything else
 * (SVG included) comes as a download.
 */
const INLINE_IMAGES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"]);

export function isInlineImage(contentType: string): boolean {
  return INLINE_IMAGES.has(contentType.split(";")[0]!.trim().toLowerCase());
}

/** `GET /attachments/{id}`: the session cookie authorises it, so a plain link works. */
export function attachmentUrl(id: number): string {
  return `${apiBaseUrl()}/attachments/${id}`;
}

const UNITS = ["KiB", "MiB", "GiB"] as const;

/** `512 B`, `1.5 KiB`, `10 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit: (typeof UNITS)[number] = UNITS[0];
  for (const u of UNITS) {
    value /= 1024;
    unit = u;
    if (value < 1024) break;
  }
  const rounded = value >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${unit}`;
}

/** What someone reads when a file is over the limit, whether we or the server noticed. */
export function tooLargeMessage(filename: string): string {
  return `${filename} is larger than ${formatBytes(MAX_UPLOAD_BYTES)}, the most a file can be.`;
}
