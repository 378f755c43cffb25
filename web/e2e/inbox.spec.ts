import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import {
  assignToSelf,
  createTicket,
  makeAgent,
  messages,
  postMessage,
  registerUser,
  screenshot,
  signIn,
  unique,
  watchConsole,
  WEB_URL,
  type Account,
} from "./support";

// SPEC §10 in the browser: unread badges and previews that move live, the total in the
// navigation and the tab title, reads that clear every tab, notifications for what I am not
// looking at, and a permission that is only asked for from a click.

declare global {
  interface Window {
    /** What the page tried to show with `new Notification(…)` (recorded by the init script). */
    __shown?: { title: string; body?: string; tag?: string }[];
    /** How often the page called `Notification.requestPermission()`. */
    __permissionRequests?: number;
  }
}

/** Record notifications instead of showing them; the browser context decides the permission. */
function recordNotifications() {
  const Real = window.Notification;
  const shown: { title: string; body?: string; tag?: string }[] = [];
  window.__shown = shown;
  window.__permissionRequests = 0;
  class Recorded {
    static get permission() {
      return Real.permission;
    }
    static requestPermission() {
      window.__permissionRequests = (window.__permissionRequests ?? 0) + 1;
      // Headless Chromium cannot show the prompt: answer as a person who said no.
      return Promise.resolve("denied");
    }
    onclick: (() => void) | null = null;
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, body: options?.body, tag: options?.tag });
    }
    close() {}
  }
  Object.defineProperty(window, "Notification", { value: Recorded, configurable: true, writable: true });
}

async function contextWith(browser: Browser, notifications: boolean): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  if (notifications) await context.grantPermissions(["notifications"], { origin: WEB_URL });
  await context.addInitScript(recordNotifications);
  return context;
}

function row(page: Page, scope: "ticket-sidebar" | "ticket-list", ticketId: number) {
  return page.getByTestId(scope).locator(`[data-testid="ticket-row"][data-ticket-id="${ticketId}"]`);
}

const shown = (page: Page) => page.evaluate(() => window.__shown ?? []);

let customer: Account;
let agent: Account;
let a: number;
let b: number;
let subjectB: string;

test.beforeAll(async () => {
  customer = await registerUser("inbox-user");
  agent = await makeAgent("inbox-agent");
  subjectB = unique("Invoice");
  b = (await createTicket(customer.token, subjectB, "My invoice shows the wrong address.")).id;
  a = (await createTicket(customer.token, unique("Login"), "I cannot sign in on my phone.")).id;
  for (const t of [a, b]) await assignToSelf(agent.token, t);
  await postMessage(customer.token, b, "The invoice number is 2024-117.");
  await postMessage(customer.token, a, "It says my password is wrong."); // a: newest activity
});

test("badges, previews and order follow the conversation live, and reading clears every tab", async ({ browser }) => {
  const context = await contextWith(browser, true);
  const page = await context.newPage();
  const problems = watchConsole(page);
  await signIn(page, agent, /\/app\/inbox$/);

  // The agent reads ticket A; B's message is still unread.
  await page.goto(`/app/inbox/${a}`);
  await expect(messages(page)).toHaveCount(1);
  const sidebar = page.getByTestId("ticket-sidebar");
  await expect(sidebar.getByTestId("ticket-row").first()).toHaveAttribute("data-ticket-id", String(a));
  await expect(row(page, "ticket-sidebar", a).getByTestId("unread-count")).toHaveCount(0);
  await expect(row(page, "ticket-sidebar", b).getByTestId("unread-count")).toHaveText("1 unread");
  await expect(row(page, "ticket-sidebar", b).getByTestId("last-message")).toContainText("2024-117");
  await expect(page.getByRole("navigation", { name: "Main" }).getByTestId("nav-unread")).toHaveText("1 unread message");
  await expect(page).toHaveTitle("(1) MyRelay");

  // A second tab on the inbox.
  const tab2 = await context.newPage();
  await tab2.goto("/app/inbox?tab=mine");
  await expect(tab2.getByTestId("connection-state")).toHaveText("Connected");
  await expect(row(tab2, "ticket-list", b).getByTestId("unread-count")).toHaveText("1 unread");
  await expect(tab2).toHaveTitle("(1) MyRelay");

  // The customer writes on B: it counts up, its preview changes and it moves to the top.
  await postMessage(customer.token, b, "Any news about my invoice?");
  await expect(row(page, "ticket-sidebar", b).getByTestId("unread-count")).toHaveText("2 unread");
  await expect(row(page, "ticket-sidebar", b).getByTestId("last-message")).toContainText("Any news about my invoice?");
  await expect(sidebar.getByTestId("ticket-row").first()).toHaveAttribute("data-ticket-id", String(b));
  await expect(page).toHaveTitle("(2) MyRelay");
  await expect(row(tab2, "ticket-list", b).getByTestId("unread-count")).toHaveText("2 unread");
  await expect(tab2.getByTestId("ticket-list").getByTestId("ticket-row").first()).toHaveAttribute(
    "data-ticket-id",
    String(b),
  );
  await expect(tab2).toHaveTitle("(2) MyRelay");
  await screenshot(page, "ticket-with-unread-sidebar");
  // …and a notification, since the agent is looking at A.
  await expect.poll(() => shown(page)).toContainEqual(
    expect.objectContaining({ title: `New message on ticket #${b}`, body: expect.stringContaining("Any news") }),
  );

  // A message on the ticket being looked at is read at once: no badge, no notification.
  await postMessage(customer.token, a, "I tried again just now.");
  await expect(messages(page)).toHaveCount(2);
  await expect(sidebar.getByTestId("ticket-row").first()).toHaveAttribute("data-ticket-id", String(a));
  await expect(row(page, "ticket-sidebar", a).getByTestId("unread-count")).toHaveCount(0);
  await expect(page).toHaveTitle("(2) MyRelay");
  expect((await shown(page)).filter((n) => n.title.endsWith(`#${a}`))).toEqual([]);

  // Opening B clears its badge here and in the other tab, and the totals.
  await row(page, "ticket-sidebar", b).click();
  await expect(page).toHaveURL(new RegExp(`/app/inbox/${b}$`));
  await expect(messages(page)).toHaveCount(2);
  await expect(row(page, "ticket-sidebar", b).getByTestId("unread-count")).toHaveCount(0);
  await expect(row(tab2, "ticket-list", b).getByTestId("unread-count")).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Main" }).getByTestId("nav-unread")).toHaveCount(0);
  await expect(tab2).toHaveTitle(/^Inbox/);
  await expect(page).not.toHaveTitle(/^\(\d+\)/);
  await screenshot(tab2, "inbox-read");

  expect(problems).toEqual([]);
  await context.close();
});

test("permission is asked for only from a click, and the settings are stored", async ({ browser }) => {
  const context = await contextWith(browser, false);
  const page = await context.newPage();
  const problems = watchConsole(page);
  await signIn(page, customer, /\/app\/tickets$/);
  await page.goto(`/app/tickets/${b}`);
  await expect(messages(page).first()).toBeVisible();
  await page.getByRole("link", { name: "Settings" }).first().click();
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  await expect(page.getByTestId("notification-permission")).toHaveAttribute("data-permission", "default");
  expect(await page.evaluate(() => window.__permissionRequests)).toBe(0);

  await page.getByRole("button", { name: "Allow browser notifications" }).click();
  await expect(page.getByTestId("notification-permission")).toHaveAttribute("data-permission", "denied");
  expect(await page.evaluate(() => window.__permissionRequests)).toBe(1);

  // Preferences live on the server: they survive a reload.
  const sound = page.getByRole("switch", { name: "Sound" });
  await expect(sound).not.toBeChecked();
  await sound.check();
  await expect(sound).toBeChecked();
  await expect(sound).toBeEnabled();
  await page.reload();
  await expect(page.getByRole("switch", { name: "Sound" })).toBeChecked();
  await expect(page.getByRole("switch", { name: "Browser notifications" })).toBeChecked();
  expect(await page.evaluate(() => window.__permissionRequests)).toBe(0);

  expect(problems).toEqual([]);
  await context.close();
});

test("search results say where they matched and highlight the words", async ({ browser }) => {
  const word = unique("zebra").replace(/-/g, "");
  await postMessage(agent.token, b, `Please check reference ${word} on the second page.`);
  const context = await contextWith(browser, false);
  const page = await context.newPage();
  await signIn(page, customer, /\/app\/tickets$/);
  await page.goto(`/app/tickets?q=${word}`);
  const match = row(page, "ticket-list", b).getByTestId("search-match");
  await expect(match).toHaveAttribute("data-field", "message");
  await expect(match).toContainText("Matched in a message");
  await expect(match.locator("mark")).toHaveText(word);
  await expect(page.getByTestId("ticket-list").getByTestId("ticket-row")).toHaveCount(1);

  await page.goto(`/app/tickets?q=${encodeURIComponent(subjectB)}`);
  await expect(row(page, "ticket-list", b).getByTestId("search-match")).toContainText("Matched in the subject");
  await context.close();
});

test("after a reconnect the list and the total come from the server again", async ({ browser }) => {
  const context = await contextWith(browser, false);
  const page = await context.newPage();
  await signIn(page, customer, /\/app\/tickets$/);
  const badge = row(page, "ticket-list", a).getByTestId("unread-count");
  await expect(badge).toHaveCount(0);

  // Offline while the agent answers twice: no event reaches this tab.
  await context.setOffline(true);
  await page.evaluate(() => window.__myrelaySocket?.io.engine.close());
  await expect(page.getByTestId("connection-state")).toHaveText("Reconnecting…");
  await postMessage(agent.token, a, "Could you try a new password?");
  await postMessage(agent.token, a, "The reset link is on the sign-in page.");
  await context.setOffline(false);

  await expect(page.getByTestId("connection-state")).toHaveText("Connected", { timeout: 20_000 });
  await expect(badge).toHaveText("2 unread");
  await expect(row(page, "ticket-list", a).getByTestId("last-message")).toContainText("reset link");
  await expect(page.getByRole("navigation", { name: "Main" }).getByTestId("nav-unread")).toHaveText(/^\d+ unread messages?$/);
  await expect(page).toHaveTitle(/^\(\d+\) MyRelay$/);
  await context.close();
});
