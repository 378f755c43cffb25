import { expect, test } from "@playwright/test";
import {
  assignToSelf,
  createTicket,
  expectOrderedAndUnique,
  makeAgent,
  messages,
  postMessage,
  registerUser,
  signedInPage,
  unique,
} from "./support";

test("a reload keeps the session and the conversation", async ({ browser }) => {
  const user = await registerUser("reloader");
  const { id } = await createTicket(user.token, unique("Reload"), "Does the history survive a reload?");
  const { context, page } = await signedInPage(browser, user, /\/app\/tickets$/);
  await page.goto(`/app/tickets/${id}`);
  for (const text of ["first message", "second message", "third message"]) {
    await page.getByLabel("Message").fill(text);
    await page.getByLabel("Message").press("Enter");
    await expect(messages(page).filter({ hasText: text })).toHaveCount(1);
  }
  await expect(page.getByTestId("pending-message")).toHaveCount(0);

  await page.reload();
  await expect(page.getByTestId("current-user")).toContainText(user.name);
  await expect(messages(page)).toHaveCount(3);
  await expect(messages(page).nth(0)).toContainText("first message");
  await expect(messages(page).nth(2)).toContainText("third message");
  await expectOrderedAndUnique(page);
  await context.close();
});

test("the chat catches up after the connection drops, with nothing lost or doubled", async ({ browser }) => {
  const user = await registerUser("patient");
  const agentAccount = await makeAgent("flaky");
  const { id } = await createTicket(user.token, unique("Flaky wifi"), "My connection keeps dropping.");
  await assignToSelf(agentAccount.token, id);
  await postMessage(user.token, id, "before the drop");

  const agent = await signedInPage(browser, agentAccount, /\/app\/inbox$/);
  await agent.page.goto(`/app/inbox/${id}`);
  await expect(messages(agent.page)).toHaveCount(1);
  await expect(agent.page.getByTestId("connection-state")).toHaveText("Connected");

  const user_ = await signedInPage(browser, user, /\/app\/tickets$/);
  await user_.page.goto(`/app/tickets/${id}`);
  await expect(user_.page.getByTestId("room-members")).toContainText(agentAccount.name);

  // The agent's network goes away, and the socket with it.
  await agent.context.setOffline(true);
  await agent.page.evaluate(() => window.__myrelaySocket?.io.engine.close());
  await expect(agent.page.getByTestId("connection-state")).toHaveText("Reconnecting…");

  // Meanwhile the user writes twice.
  for (const text of ["while you were away 1", "while you were away 2"]) {
    await user_.page.getByLabel("Message").fill(text);
    await user_.page.getByLabel("Message").press("Enter");
    await expect(messages(user_.page).filter({ hasText: text })).toHaveCount(1);
  }

  // Back online: the agent reconnects and catches up, each message exactly once.
  await agent.context.setOffline(false);
  await expect(agent.page.getByTestId("connection-state")).toHaveText("Connected", { timeout: 30_000 });
  await expect(messages(agent.page).filter({ hasText: "while you were away 1" })).toHaveCount(1);
  await expect(messages(agent.page).filter({ hasText: "while you were away 2" })).toHaveCount(1);
  await expect(messages(agent.page)).toHaveCount(3);

  // Live traffic flows again, both ways.
  await agent.page.getByLabel("Message").fill("back again");
  await agent.page.getByLabel("Message").press("Enter");
  await expect(messages(user_.page).filter({ hasText: "back again" })).toHaveCount(1);
  await user_.page.getByLabel("Message").fill("welcome back");
  await user_.page.getByLabel("Message").press("Enter");
  await expect(messages(agent.page).filter({ hasText: "welcome back" })).toHaveCount(1);
  await expect(messages(agent.page)).toHaveCount(5);
  await expectOrderedAndUnique(agent.page);
  await expectOrderedAndUnique(user_.page);

  await agent.context.close();
  await user_.context.close();
});

test("long conversations load the newest page first, and earlier pages on request", async ({ browser }) => {
  const user = await registerUser("chatty");
  const { id } = await createTicket(user.token, unique("Long story"), "This will take a while to explain.");
  for (let i = 1; i <= 60; i++) await postMessage(user.token, id, `part ${i} of the story`);

  const { context, page } = await signedInPage(browser, user, /\/app\/tickets$/);
  await page.goto(`/app/tickets/${id}`);
  await expect(messages(page)).toHaveCount(50);
  await expect(messages(page).last()).toContainText("part 60 of the story");
  await expect(messages(page).last()).toBeInViewport();

  await page.getByRole("button", { name: "Load earlier messages" }).click();
  await expect(messages(page)).toHaveCount(60);
  await expect(messages(page).first()).toContainText("part 1 of the story");
  await expect(page.getByRole("button", { name: "Load earlier messages" })).toHaveCount(0);
  await expectOrderedAndUnique(page);
  await context.close();
});

test("a broadcast lost on the way is fetched when the next one shows the gap", async ({ browser }) => {
  const user = await registerUser("gappy");
  const agentAccount = await makeAgent("gapwatcher");
  const { id } = await createTicket(user.token, unique("Lossy line"), "Some of my messages vanish.");
  await assignToSelf(agentAccount.token, id);

  const agent = await signedInPage(browser, agentAccount, /\/app\/inbox$/);
  await agent.page.goto(`/app/inbox/${id}`);
  await expect(agent.page.getByText("No messages yet.")).toBeVisible();
  await expect(agent.page.getByTestId("room-members")).toBeVisible();

  // Drop the next `ticket:message:new` this tab receives, as a full socket buffer would.
  await agent.page.evaluate(() => {
    type Packet = { data?: unknown[] };
    const socket = window.__myrelaySocket as unknown as { onevent: (p: Packet) => void };
    const deliver = socket.onevent.bind(socket);
    let dropped = false;
    socket.onevent = (packet: Packet) => {
      if (!dropped && packet.data?.[0] === "ticket:message:new") {
        dropped = true;
        return;
      }
      deliver(packet);
    };
  });

  await postMessage(user.token, id, "this one gets lost");
  await postMessage(user.token, id, "this one shows the gap");
  await expect(messages(agent.page).filter({ hasText: "this one shows the gap" })).toHaveCount(1);
  await expect(messages(agent.page).filter({ hasText: "this one gets lost" })).toHaveCount(1);
  await expect(messages(agent.page)).toHaveCount(2);
  await expectOrderedAndUnique(agent.page);
  await agent.context.close();
});
