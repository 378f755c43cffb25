import { expect, test, type Page } from "@playwright/test";
import { assignToSelf, createTicket, makeAgent, messages, postMessage, registerUser, screenshot, signIn, unique } from "./support";

async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => {
    const content = document.getElementById("app-content");
    return {
      page: document.documentElement.scrollWidth - window.innerWidth,
      content: content ? content.scrollWidth - content.clientWidth : 0,
    };
  });
  expect(overflow).toEqual({ page: 0, content: 0 });
}

test("works on a 375 px wide phone", async ({ browser }) => {
  const user = await registerUser("phone");
  const agentAccount = await makeAgent("deskphone");
  const { id } = await createTicket(
    user.token,
    unique("Cannot log in on my phone"),
    "The app says my password is wrong, but it works on my laptop. I have tried resetting it twice already.",
  );
  await assignToSelf(agentAccount.token, id);
  await postMessage(agentAccount.token, id, "Which phone and which browser are you using?");

  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, user, /\/app\/tickets$/);
  await expect(page.getByTestId("ticket-row")).toHaveCount(1);
  await expectNoSidewaysScroll(page);
  await screenshot(page, "16-mobile-my-tickets");

  await page.getByTestId("ticket-row").click();
  await expect(messages(page)).toHaveCount(1);
  await page.getByLabel("Message").fill("An old Android phone, with its own browser.");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(messages(page)).toHaveCount(2);
  await expect(page.getByRole("button", { name: "Send" })).toBeInViewport();
  await expectNoSidewaysScroll(page);
  await screenshot(page, "17-mobile-ticket");

  const agentCtx = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const agentPage = await agentCtx.newPage();
  await signIn(agentPage, agentAccount, /\/app\/inbox$/);
  await agentPage.getByRole("tab", { name: "Mine" }).click();
  await expect(agentPage.getByTestId("ticket-row")).toHaveCount(1);
  await expectNoSidewaysScroll(agentPage);
  await screenshot(agentPage, "18-mobile-inbox");
  await agentPage.getByTestId("ticket-row").click();
  await expect(agentPage.getByRole("button", { name: "Resolve" })).toBeVisible();
  await expectNoSidewaysScroll(agentPage);
  await screenshot(agentPage, "19-mobile-agent-ticket");

  await context.close();
  await agentCtx.close();
});
