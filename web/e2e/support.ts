import { expect, request, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const API_URL = (process.env.E2E_API_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
export const WEB_URL = (process.env.E2E_WEB_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
export const ADMIN = {
  email: process.env.E2E_ADMIN_EMAIL ?? "admin@example.com",
  password: process.env.E2E_ADMIN_PASSWORD ?? "admin-password",
};

export const PASSWORD = "correct horse battery";

let counter = 0;
/** A name no earlier run used, so tests can share a database. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

export type Account = { id: number; email: string; password: string; name: string; token: string };

async function apiCall<T>(method: string, path: string, opts: { token?: string; data?: unknown } = {}): Promise<T> {
  const ctx = await request.newContext({ baseURL: API_URL });
  try {
    const res = await ctx.fetch(path, {
      method,
      data: opts.data,
      headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
    });
    const text = await res.text();
    if (!res.ok()) throw new Error(`${method} ${path} → ${res.status()}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  } finally {
    await ctx.dispose();
  }
}

type AuthBody = { user: { id: number; email: string; display_name: string }; token: string };

export async function adminToken(): Promise<string> {
  const res = await apiCall<AuthBody>("POST", "/auth/login", { data: ADMIN });
  return res.token;
}

/** Register through the API (the UI registration is tested on its own). */
export async function registerUser(prefix = "user"): Promise<Account> {
  const name = unique(prefix);
  const email = `${name}@example.com`;
  const res = await apiCall<AuthBody>("POST", "/auth/register", {
    data: { email, password: PASSWORD, display_name: name },
  });
  return { id: res.user.id, email, password: PASSWORD, name, token: res.token };
}

/** Register, then have the admin promote the account to agent. Logs in again for a fresh token. */
export async function makeAgent(prefix = "agent"): Promise<Account> {
  const user = await registerUser(prefix);
  await apiCall("PATCH", `/admin/users/${user.id}`, { token: await adminToken(), data: { role: "agent" } });
  const res = await apiCall<AuthBody>("POST", "/auth/login", { data: { email: user.email, password: PASSWORD } });
  return { ...user, token: res.token };
}

export async function createTicket(token: string, subject: string, description: string): Promise<{ id: number }> {
  return apiCall("POST", "/tickets", { token, data: { subject, description } });
}

export async function assignToSelf(token: string, ticketId: number): Promise<void> {
  await apiCall("PATCH", `/tickets/${ticketId}/assign`, { token, data: {} });
}

export async function setStatus(token: string, ticketId: number, status: string): Promise<void> {
  await apiCall("PATCH", `/tickets/${ticketId}/status`, { token, data: { status } });
}

export async function postMessage(token: string, ticketId: number, content: string): Promise<{ id: number; seq: number }> {
  return apiCall("POST", `/tickets/${ticketId}/messages`, { token, data: { content } });
}

export type Stats = Record<string, number>;
export async function stats(): Promise<Stats> {
  return apiCall("GET", "/admin/stats", { token: await adminToken() });
}

export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  return { context, page, problems: watchConsole(page) };
}

/** Console errors and uncaught exceptions of a page (React warnings, failed requests…). */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    const url = m.location().url;
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()} (${url})`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  return problems;
}

/** Sign in through the login form and wait for the role's home page. */
export async function signIn(page: Page, account: { email: string; password: string }, home: RegExp): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(home);
  await expect(page.getByTestId("connection-state")).toHaveText("Connected");
}

/** A fresh browser context, signed in as `account` and showing the role's home page. */
export async function signedInPage(
  browser: Browser,
  account: { email: string; password: string },
  home: RegExp,
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const opened = await newPage(browser);
  await signIn(opened.page, account, home);
  return opened;
}

const SHOTS = fileURLToPath(new URL("../e2e-results", import.meta.url));
/** Save a screenshot of a main screen for people to look at (web/e2e-results/, git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The messages shown in a page's conversation, in screen order. */
export function messages(page: Page) {
  return page.getByTestId("message-list").getByTestId("message");
}

/** Screen order is seq order (staff: `staff_seq`, notes included), and no entry shows twice. */
export async function expectOrderedAndUnique(page: Page): Promise<void> {
  const seqs = await messages(page).evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-position"))));
  const sorted = [...seqs].sort((a, b) => a - b);
  expect(seqs).toEqual(sorted);
  expect(new Set(seqs).size).toBe(seqs.length);
}
