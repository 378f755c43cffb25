import { request } from "@playwright/test";
import { ADMIN, API_URL, WEB_URL } from "./support";

async function waitFor(url: string, what: string): Promise<void> {
  const ctx = await request.newContext();
  try {
    const deadline = Date.now() + 60_000;
    let last = "";
    while (Date.now() < deadline) {
      try {
        const res = await ctx.get(url, { timeout: 5000 });
        if (res.ok()) return;
        last = `HTTP ${res.status()}`;
      } catch (e) {
        last = String(e);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${what} is not answering at ${url} (${last}). Start it, or run scripts/e2e.sh.`);
  } finally {
    await ctx.dispose();
  }
}

/** Both servers are given (E2E_API_URL, E2E_WEB_URL); check they are up and the admin can sign in. */
export default async function globalSetup(): Promise<void> {
  await waitFor(`${API_URL}/health`, "The API");
  await waitFor(`${WEB_URL}/`, "The web app");
  const ctx = await request.newContext({ baseURL: API_URL });
  try {
    const res = await ctx.post("/auth/login", { data: ADMIN });
    if (!res.ok()) {
      throw new Error(
        `The admin login in E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD (${ADMIN.email}) failed with HTTP ${res.status()}: ${await res.text()}`,
      );
    }
  } finally {
    await ctx.dispose();
  }
}
