import { expect, test, type Page } from "@playwright/test";
import { expectAccessible } from "./a11y";
import {
  ADMIN,
  assignToSelf,
  createTicket,
  makeAgent,
  messages,
  newPage,
  postMessage,
  registerUser,
  setStatus,
  signedInPage,
  unique,
  type Account,
} from "./support";

// Every screen, as every role that can open it, with real data in it: a ticket in each
// status, a conversation between the user and the agent who took the ticket.
let user: Account;
let agent: Account;
let conversation: number;

test.beforeAll(async () => {
  user = await registerUser("a11y-user");
  agent = await makeAgent("a11y-agent");
  const ticket = await createTicket(user.token, unique("Screen reader"), "The ticket the axe checks read.");
  conversation = ticket.id;
  await assignToSelf(agent.token, conversation);
  await postMessage(user.token, conversation, "Hello, my screen reader skips the send button.");
  await postMessage(agent.token, conversation, "Thanks, I am looking into it.");
  await createTicket(user.token, unique("Still open"), "Nobody has taken this one yet.");
  for (const path of [["resolved"], ["resolved", "closed"]]) {
    const { id } = await createTicket(user.token, unique(`Now ${path.at(-1)}`), `This one is ${path.at(-1)}.`);
    await assignToSelf(agent.token, id);
    for (const status of path) await setStatus(agent.token, id, status);
  }
});

async function openTicket(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(messages(page)).toHaveCount(2);
  await expect(page.getByTestId("room-members")).toBeVisible();
  await expect(page.getByTestId("connection-state")).toHaveText("Connected");
}

test("signed-out screens have no accessibility violations", async ({ browser }) => {
  const { context, page } = await newPage(browser);
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "MyRelay" })).toBeVisible();
  await expectAccessible(page, "landing");

  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expectAccessible(page, "login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("That email and password do not match an active account.")).toBeVisible();
  await expectAccessible(page, "login, with an error");

  await page.goto("/register");
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await expectAccessible(page, "register");

  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expectAccessible(page, "not found");
  await context.close();
});

test("a user's screens have no accessibility violations", async ({ browser }) => {
  const { context, page } = await signedInPage(browser, user, /\/app\/tickets$/);
  await expect(page.getByTestId("ticket-row")).toHaveCount(4);
  await expectAccessible(page, "user: my tickets");

  await page.goto("/app/tickets/new");
  await expect(page.getByRole("heading", { name: "New ticket" })).toBeVisible();
  await expectAccessible(page, "user: new ticket");

  await openTicket(page, `/app/tickets/${conversation}`);
  await expectAccessible(page, "user: ticket detail");

  await page.goto("/app/settings");
  await expect(page.getByRole("switch", { name: "Sound" })).toBeVisible();
  await expectAccessible(page, "user: settings");

  await page.goto("/app/inbox");
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expectAccessible(page, "user: not allowed");
  await context.close();
});

test("an agent's screens have no accessibility violations", async ({ browser }) => {
  const { context, page } = await signedInPage(browser, agent, /\/app\/inbox$/);
  for (const tab of ["Available", "Mine", "All"]) {
    await page.getByRole("tab", { name: tab }).click();
    await expect(page.getByRole("tab", { name: tab })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByTestId("ticket-row").first()).toBeVisible();
    await expectAccessible(page, `agent: inbox, ${tab}`);
  }

  await openTicket(page, `/app/inbox/${conversation}`);
  await expectAccessible(page, "agent: inbox detail");

  await page.goto("/app/settings");
  await expect(page.getByRole("switch", { name: "Sound" })).toBeVisible();
  await expectAccessible(page, "agent: settings");
  await context.close();
});

test("an admin's screens have no accessibility violations", async ({ browser }) => {
  const { context, page } = await signedInPage(browser, ADMIN, /\/app\/inbox$/);
  await expect(page.getByTestId("ticket-row").first()).toBeVisible();
  await expectAccessible(page, "admin: inbox");

  await page.goto("/app/admin");
  await expect(page.getByTestId("stat-total_tickets")).toBeVisible();
  await expectAccessible(page, "admin: dashboard");

  await page.goto("/app/admin/tickets");
  await expect(page.getByTestId("ticket-row").first()).toBeVisible();
  await expectAccessible(page, "admin: all tickets");

  await page.goto(`/app/admin/users?q=${encodeURIComponent(user.name)}`);
  const row = page.getByTestId("user-row").filter({ hasText: user.email });
  await expect(row).toHaveCount(1);
  await expectAccessible(page, "admin: users");
  await row.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await expectAccessible(page, "admin: users, confirm dialog");
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();

  await page.goto("/app/admin/agents");
  await expect(page.getByTestId("agent-row").first()).toBeVisible();
  await expectAccessible(page, "admin: agents");

  await page.goto("/app/admin/audit");
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  await expectAccessible(page, "admin: audit log");
  await page.goto(`/app/admin/audit?kind=role_changed&user=${agent.id}`);
  await expect(page.getByTestId("audit-row")).toHaveCount(1);
  await expectAccessible(page, "admin: audit log, filtered");

  await openTicket(page, `/app/inbox/${conversation}`);
  await expectAccessible(page, "admin: inbox detail");
  await context.close();
});
