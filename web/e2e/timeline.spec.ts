import { expect, test, type Page } from "@playwright/test";
import {
  ADMIN,
  assignToSelf,
  createTicket,
  makeAgent,
  newPage,
  registerUser,
  screenshot,
  setStatus,
  signIn,
  unique,
} from "./support";

function systemLines(page: Page) {
  return page.getByTestId("message-list").getByTestId("system-line");
}

test("taking and resolving a ticket appear live as system lines in the customer's tab and the agent's other tab", async ({
  browser,
}) => {
  const userAccount = await registerUser("Tess");
  const agentAccount = await makeAgent("Maya");
  const { id } = await createTicket(userAccount.token, unique("Timeline"), "Show me what happens to my ticket.");

  const user = await newPage(browser);
  await signIn(user.page, userAccount, /\/app\/tickets$/);
  await user.page.goto(`/app/tickets/${id}`);
  await expect(systemLines(user.page)).toHaveText([/^You opened this ticket/]);

  // The agent has the ticket open in two tabs of one browser.
  const agent = await newPage(browser);
  await signIn(agent.page, agentAccount, /\/app\/inbox$/);
  const second = await agent.context.newPage();
  for (const tab of [agent.page, second]) {
    await tab.goto(`/app/inbox/${id}`);
    await expect(tab.getByTestId("connection-state")).toHaveText("Connected");
    await expect(systemLines(tab)).toHaveText([new RegExp(`^${userAccount.name} opened this ticket`)]);
  }

  await agent.page.getByRole("button", { name: "Assign to me" }).click();
  await expect(systemLines(user.page).nth(1)).toHaveText(new RegExp(`^${agentAccount.name} took this ticket`));
  await expect(systemLines(second).nth(1)).toHaveText(/^You took this ticket/);

  await agent.page.getByRole("button", { name: "Resolve" }).click();
  await expect(systemLines(user.page).nth(2)).toHaveText(new RegExp(`^Resolved by ${agentAccount.name}`));
  await expect(systemLines(second).nth(2)).toHaveText(/^Resolved by you/);
  await expect(systemLines(agent.page)).toHaveCount(3);
  await screenshot(user.page, "12-ticket-timeline-user");

  // A change made elsewhere (the API) reaches the open tabs too, in time order after the messages.
  await user.page.getByLabel("Message").fill("Thanks, that fixed it.");
  await user.page.getByLabel("Message").press("Enter");
  await expect(second.getByTestId("message").filter({ hasText: "Thanks, that fixed it." })).toHaveCount(1);
  await setStatus(agentAccount.token, id, "closed");
  await expect(systemLines(user.page).nth(3)).toHaveText(new RegExp(`^Closed by ${agentAccount.name}`));
  const order = await second
    .getByTestId("message-list")
    .locator("[data-testid=message], [data-testid=system-line]")
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-testid")));
  expect(order).toEqual(["system-line", "system-line", "system-line", "message", "system-line"]);

  // After a reload (a fresh load of history and timeline) the lines are the same.
  await user.page.reload();
  await expect(systemLines(user.page)).toHaveCount(4);

  for (const c of [user, agent]) {
    // Chromium asks for /favicon.ico on a reload; the app's icon is app/icon.svg.
    expect(c.problems.filter((p) => !p.includes("/favicon.ico"))).toEqual([]);
    await c.context.close();
  }
});

test("the audit page lists account and ticket events and filters them", async ({ browser }) => {
  const agentAccount = await makeAgent("Audited");
  const customer = await registerUser("Audience");
  const { id } = await createTicket(customer.token, unique("Audit me"), "A ticket for the audit log.");
  await assignToSelf(agentAccount.token, id);
  await setStatus(agentAccount.token, id, "resolved");

  const admin = await newPage(browser);
  await signIn(admin.page, ADMIN, /\/app\/inbox$/);
  await admin.page.getByRole("link", { name: "Audit log" }).first().click();
  await expect(admin.page).toHaveURL(/\/app\/admin\/audit$/);
  await expect(admin.page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const rows = admin.page.getByTestId("audit-row");
  // The promotion of the agent, by the admin, with before and after.
  const promotion = rows.filter({ hasText: agentAccount.name }).and(admin.page.locator("[data-kind=role_changed]"));
  await expect(promotion).toHaveCount(1);
  await expect(promotion).toContainText("User, active");
  await expect(promotion).toContainText("Agent, active");
  await screenshot(admin.page, "13-admin-audit");

  // Only this ticket's events, newest first.
  await admin.page.getByLabel("Ticket id").fill(String(id));
  await admin.page.getByRole("button", { name: "Apply filters" }).click();
  await expect(admin.page).toHaveURL(new RegExp(`ticket=${id}`));
  await expect(rows).toHaveCount(3);
  expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-kind")))).toEqual([
    "status_changed",
    "assigned",
    "created",
  ]);
  await expect(rows.first()).toContainText(`Ticket #${id}`);
  await expect(rows.first()).toContainText("Assigned, " + agentAccount.name);
  await expect(rows.first()).toContainText("Resolved, " + agentAccount.name);

  // And of those, only status changes.
  await admin.page.getByLabel("Event").selectOption("status_changed");
  await admin.page.getByRole("button", { name: "Apply filters" }).click();
  await expect(admin.page).toHaveURL(/kind=status_changed/);
  await expect(rows).toHaveCount(1);

  // What one person did: the agent registered, took the ticket and resolved it.
  await admin.page.getByRole("button", { name: "Clear" }).click();
  await expect(rows.first()).toBeVisible();
  await admin.page.getByLabel("Actor (user id)").fill(String(agentAccount.id));
  await admin.page.getByRole("button", { name: "Apply filters" }).click();
  await expect(rows).toHaveCount(3);
  expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-kind")))).toEqual([
    "status_changed",
    "assigned",
    "registered",
  ]);

  expect(admin.problems).toEqual([]);
  await admin.context.close();
});
