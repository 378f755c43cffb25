import { expect, test, type Page } from "@playwright/test";
import {
  createTicket,
  expectOrderedAndUnique,
  makeAgent,
  messages,
  newPage,
  registerUser,
  screenshot,
  signIn,
  unique,
} from "./support";

function systemLines(page: Page) {
  return page.getByTestId("message-list").getByTestId("system-line");
}

test("an internal note reaches the agent's other tab but never the customer's", async ({ browser }) => {
  const userAccount = await registerUser("Nora");
  const agentAccount = await makeAgent("Ines");
  const { id } = await createTicket(userAccount.token, unique("Notes"), "My invoice shows the wrong amount.");

  const user = await newPage(browser);
  await signIn(user.page, userAccount, /\/app\/tickets$/);
  await user.page.goto(`/app/tickets/${id}`);
  await expect(user.page.getByTestId("connection-state")).toHaveText("Connected");
  // Customers have no note toggle.
  await expect(user.page.getByRole("switch", { name: "Internal note" })).toHaveCount(0);

  const agent = await newPage(browser);
  await signIn(agent.page, agentAccount, /\/app\/inbox$/);
  const second = await agent.context.newPage();
  for (const tab of [agent.page, second]) {
    await tab.goto(`/app/inbox/${id}`);
    await expect(tab.getByTestId("connection-state")).toHaveText("Connected");
  }
  await agent.page.getByRole("button", { name: "Assign to me" }).click();
  for (const tab of [user.page, second]) {
    await expect(systemLines(tab).nth(1)).toHaveText(/took this ticket/);
  }

  // A note, then a reply.
  const toggle = agent.page.getByRole("switch", { name: "Internal note" });
  await toggle.check();
  await expect(agent.page.getByTestId("composer")).toHaveAttribute("data-internal", "true");
  await agent.page.getByLabel("Note to staff").fill("Customer was double-billed; refund pending.");
  await agent.page.getByRole("button", { name: "Add note" }).click();
  await expect(
    messages(agent.page).filter({ hasText: "double-billed" }).and(agent.page.locator("[data-internal=true]")),
  ).toHaveCount(1);
  await toggle.uncheck();
  await agent.page.getByLabel("Message", { exact: true }).fill("We are fixing your invoice now.");
  await agent.page.getByRole("button", { name: "Send" }).click();

  // The agent's second tab: both, the note marked, in order.
  await expect(messages(second)).toHaveCount(2);
  await expect(messages(second).first()).toHaveAttribute("data-internal", "true");
  await expect(messages(second).first()).toContainText("Internal note");
  await expect(messages(second).nth(1)).toContainText("We are fixing your invoice now.");
  await expectOrderedAndUnique(second);

  // The customer's tab: the reply only — live, and again after a reload.
  await expect(messages(user.page)).toHaveCount(1);
  await expect(messages(user.page).first()).toContainText("We are fixing your invoice now.");
  await expect(messages(user.page).first()).toHaveAttribute("data-seq", "1");
  await screenshot(second, "14-internal-note-agent");
  await user.page.reload();
  await expect(messages(user.page)).toHaveCount(1);
  await expect(user.page.getByText("double-billed")).toHaveCount(0);

  // The timeline goes on live in both, with the note among the messages for staff.
  await agent.page.getByRole("button", { name: "Resolve" }).click();
  await expect(systemLines(user.page).last()).toHaveText(new RegExp(`^Resolved by ${agentAccount.name}`));
  await expect(systemLines(second).last()).toHaveText(/^Resolved by you/);
  await second.reload();
  await expect(messages(second)).toHaveCount(2);
  await expect(messages(second).first()).toHaveAttribute("data-internal", "true");
  await expect(user.page.getByText("double-billed")).toHaveCount(0);

  for (const c of [user, agent]) {
    expect(c.problems.filter((p) => !p.includes("/favicon.ico"))).toEqual([]);
    await c.context.close();
  }
});
