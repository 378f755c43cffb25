import { expect, test } from "@playwright/test";
import { ADMIN, PASSWORD, expectOrderedAndUnique, makeAgent, messages, newPage, screenshot, signedInPage, stats, unique } from "./support";

test("a ticket goes from a user to an agent and back, live, and the dashboard counts it", async ({ browser }) => {
  const before = await stats();

  // The user registers through the form and lands on their (empty) ticket list.
  const user = await newPage(browser);
  const userName = unique("Ursula");
  await user.page.goto("/");
  await expect(user.page.getByRole("heading", { name: "MyRelay" })).toBeVisible();
  await expect(user.page.getByText("A real-time ticket and support workspace for teams.")).toBeVisible();
  await screenshot(user.page, "01-landing");
  await user.page.getByRole("link", { name: "Create an account" }).click();
  await user.page.getByLabel("Name").fill(userName);
  await user.page.getByLabel("Email").fill(`${userName}@example.com`);
  await user.page.getByLabel("Password").fill(PASSWORD);
  await screenshot(user.page, "02-register");
  await user.page.getByRole("button", { name: "Create account" }).click();
  await expect(user.page).toHaveURL(/\/app\/tickets$/);
  await expect(user.page.getByText("You have no tickets yet.")).toBeVisible();
  await screenshot(user.page, "03-my-tickets-empty");

  // An agent (registered, then promoted by the admin) watches the inbox.
  const agentAccount = await makeAgent("Alan");
  const agent = await signedInPage(browser, agentAccount, /\/app\/inbox$/);
  await expect(agent.page.getByRole("tab", { name: "Available" })).toHaveAttribute("aria-selected", "true");

  // The user opens a ticket.
  const subject = unique("Printer on fire");
  await user.page.getByRole("link", { name: "New ticket" }).first().click();
  await user.page.getByLabel("Subject (optional)").fill(subject);
  await user.page.getByLabel("Description").fill("Smoke is coming out of the third-floor printer.\nIt smells of toast.");
  await screenshot(user.page, "04-new-ticket");
  await user.page.getByRole("button", { name: "Create ticket" }).click();
  await expect(user.page).toHaveURL(/\/app\/tickets\/\d+$/);
  const ticketId = Number(user.page.url().split("/").pop());
  const summary = user.page.getByTestId("ticket-summary");
  await expect(summary.getByRole("heading")).toContainText(subject);
  await expect(summary.getByTestId("ticket-status")).toHaveText("Open");
  await expect(summary.getByTestId("ticket-assignee")).toHaveText("Unassigned");

  // It appears in the agent's inbox without a reload.
  const row = agent.page.getByTestId("ticket-row").filter({ hasText: subject });
  await expect(row).toBeVisible();
  await screenshot(agent.page, "05-inbox");

  // The agent takes it; the user sees the assignment live.
  await row.click();
  await expect(agent.page).toHaveURL(new RegExp(`/app/inbox/${ticketId}$`));
  await agent.page.getByRole("button", { name: "Assign to me" }).click();
  await expect(agent.page.getByTestId("ticket-assignee")).toHaveText(agentAccount.name);
  await expect(summary.getByTestId("ticket-status")).toHaveText("Assigned");
  await expect(summary.getByTestId("ticket-assignee")).toHaveText(agentAccount.name);
  await expect(user.page.getByTestId("room-members")).toContainText(agentAccount.name);

  // They talk, both ways, live.
  await user.page.getByLabel("Message").fill("Hello, is anyone there?");
  await user.page.getByLabel("Message").press("Enter");
  await expect(messages(agent.page).filter({ hasText: "Hello, is anyone there?" })).toHaveCount(1);

  await agent.page.getByLabel("Message").pressSequentially("On my way", { delay: 20 });
  await expect(user.page.getByTestId("typing-indicator")).toContainText(`${agentAccount.name} is typing`);
  await agent.page.getByRole("button", { name: "Send" }).click();
  await expect(messages(user.page).filter({ hasText: "On my way" })).toHaveCount(1);
  await expect(messages(user.page)).toHaveCount(2);
  await expect(messages(agent.page)).toHaveCount(2);
  await expectOrderedAndUnique(user.page);
  await expectOrderedAndUnique(agent.page);
  await screenshot(user.page, "06-ticket-user");

  // The agent resolves it; the user sees the new status without reloading.
  await agent.page.getByRole("button", { name: "Resolve" }).click();
  await expect(agent.page.getByTestId("ticket-status")).toHaveText("Resolved");
  await expect(summary.getByTestId("ticket-status")).toHaveText("Resolved");
  await expect(agent.page.getByRole("button", { name: "Reopen" })).toBeVisible();
  await screenshot(agent.page, "07-ticket-agent-resolved");

  // The admin's dashboard counts the new, resolved ticket.
  const admin = await signedInPage(browser, ADMIN, /\/app\/inbox$/);
  await admin.page.getByRole("link", { name: "Dashboard" }).first().click();
  await expect(admin.page.getByTestId("stat-total_tickets")).toHaveText(String(before.total_tickets! + 1));
  await expect(admin.page.getByTestId("stat-resolved_tickets")).toHaveText(String(before.resolved_tickets! + 1));
  await expect(admin.page.getByTestId("stat-total_agents")).toHaveText(String(before.total_agents! + 1));
  await expect(admin.page.getByText("Connected sockets")).toBeVisible();
  await expect(admin.page.getByText("Agents online")).toBeVisible();
  await expect(admin.page.getByText("Active ticket rooms")).toBeVisible();
  await screenshot(admin.page, "08-admin-dashboard");

  await admin.page.getByRole("link", { name: "All tickets" }).first().click();
  await expect(admin.page.getByTestId("ticket-row").filter({ hasText: subject })).toBeVisible();
  await screenshot(admin.page, "09-admin-tickets");

  await admin.page.getByRole("link", { name: "Agents" }).first().click();
  const agentRow = admin.page.getByTestId("agent-row").filter({ hasText: agentAccount.name });
  await expect(agentRow).toContainText("Online");
  await screenshot(admin.page, "10-admin-agents");

  await admin.page.getByRole("link", { name: "Users" }).first().click();
  await admin.page.getByLabel("Search by name or email").fill(userName);
  await admin.page.getByRole("button", { name: "Search" }).click();
  await expect(admin.page.getByTestId("user-row")).toHaveCount(1);
  await screenshot(admin.page, "11-admin-users");

  for (const c of [user, agent, admin]) {
    expect(c.problems).toEqual([]);
    await c.context.close();
  }
});
