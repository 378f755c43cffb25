// Generates lib/api/socket.d.ts (the Socket.IO event map) from the `x-socketio` extension of
// ../openapi.json, where the API declares every event name with its payload and ack schemas.
//   node scripts/gen-socket.mjs [OUT]    (default lib/api/socket.d.ts)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");

export function socketTypes(spec) {
  const io = spec["x-socketio"];
  if (!io) throw new Error("openapi.json has no x-socketio extension");
  const name = (ref) => {
    const m = /^#\/components\/schemas\/(.+)$/.exec(ref?.$ref ?? "");
    if (!m || !spec.components?.schemas?.[m[1]]) throw new Error(`bad schema reference ${JSON.stringify(ref)}`);
    return `S["${m[1]}"]`;
  };
  const key = (k) => JSON.stringify(k);
  const errorAck = name(io.error_ack);
  const lines = [
    "/**",
    " * The Socket.IO contract, generated from openapi.json (`x-socketio`) by",
    " * scripts/gen-socket.mjs. Do not edit: run `npm run gen:api`.",
    " */",
    'import type { components } from "./schema";',
    "",
    'type S = components["schemas"];',
    "",
    `/** The path of the Socket.IO endpoint on the API origin. */`,
    `export const SOCKET_PATH = ${JSON.stringify(io.path)};`,
    "",
    "/** Every refused event is acknowledged with this. */",
    `export type ErrorAck = ${errorAck};`,
    "",
    "export interface ServerToClientEvents {",
    ...Object.entries(io.server_to_client)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([event, ref]) => `  ${key(event)}: (payload: ${name(ref)}) => void;`),
    "}",
    "",
    "export interface ClientToServerEvents {",
    ...Object.entries(io.client_to_server)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([event, e]) =>
          `  ${key(event)}: (payload: ${name(e.payload)}, ack: (response: ${name(e.ack)} | ErrorAck) => void) => void;`,
      ),
    "}",
    "",
  ];
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const spec = JSON.parse(readFileSync(join(web, "..", "openapi.json"), "utf8"));
  const out = process.argv[2] ?? join(web, "lib", "api", "socket.d.ts");
  writeFileSync(out, socketTypes(spec));
}
