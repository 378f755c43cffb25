// Fails when lib/api/schema.d.ts or lib/api/socket.d.ts is not what `npm run gen:api` makes
// from ../openapi.json.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { socketTypes } from "./gen-socket.mjs";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const spec = join(web, "..", "openapi.json");
const committed = join(web, "lib", "api", "schema.d.ts");

if (!existsSync(spec)) {
  console.error(`check:api: ${spec} does not exist; the API client cannot be checked.`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "myrelay-api-"));
const fresh = join(dir, "schema.d.ts");
try {
  try {
    execFileSync(join(web, "node_modules", ".bin", "openapi-typescript"), [spec, "-o", fresh], {
      stdio: ["ignore", "ignore", "pipe"],
    });
  } catch (e) {
    const out = String(e.stderr ?? "").split("\n").filter((l) => /✘|Error/.test(l)).slice(0, 5);
    console.error(["check:api: openapi-typescript could not read openapi.json:", ...out].join("\n"));
    process.exit(1);
  }
  const want = readFileSync(fresh, "utf8");
  const have = existsSync(committed) ? readFileSync(committed, "utf8") : "";
  if (want !== have) {
    const a = have.split("\n");
    const b = want.split("\n");
    let line = 0;
    while (line < a.length && a[line] === b[line]) line++;
    console.error(
      [
        "check:api: web/lib/api/schema.d.ts is stale: it no longer matches openapi.json.",
        `First difference at line ${line + 1}:`,
        `  committed: ${a[line] ?? "<end of file>"}`,
        `  expected:  ${b[line] ?? "<end of file>"}`,
        "Run `npm run gen:api` in web/, fix any type errors, and commit the result.",
      ].join("\n"),
    );
    process.exit(1);
  }
  const socketFile = join(web, "lib", "api", "socket.d.ts");
  const socketWant = socketTypes(JSON.parse(readFileSync(spec, "utf8")));
  const socketHave = existsSync(socketFile) ? readFileSync(socketFile, "utf8") : "";
  if (socketWant !== socketHave) {
    console.error(
      "check:api: web/lib/api/socket.d.ts is stale: it no longer matches the x-socketio events of openapi.json.\n" +
        "Run `npm run gen:api` in web/, fix any type errors, and commit the result.",
    );
    process.exit(1);
  }
  console.log("check:api: lib/api/schema.d.ts and lib/api/socket.d.ts match openapi.json.");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
