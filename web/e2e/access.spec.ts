import { expect, test } from "@playwright/test";
import { createTicket, newPage, registerUser, screenshot, signedInPage } from "./support";

test("a user cannot open another user's ticket, nor the inbox or the admin pages", async ({ browser }) => {
  const owner = await registerUser("owner");
  const ticket = await createTicket(owner.token, "Private matter", "Only the owner and staff may read this.");

  const stranger = await registerUser("stranger");
  const { context, page } = await signedInPage(browser, stranger, /\/app\/tickets$/);

  await page.goto(`/app/tickets/${ticket.id}`);
  await expect(page.getByRole("heading", { name: "Ticket not found" })).toBeVisible();
  await expect(page.getByText(`There is no ticket #${ticket.id}, or you do not have access to it.`)).toBeVisible();
  await expect(page.getByText("Private matter")).toHaveCount(0);
  await screenshot(page, "12-not-found");

  await page.goto("/app/inbox");
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await page.goto("/app/admin/users");
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await screenshot(page, "13-not-allowed");
  await context.close();
});

test("signed-out visitors are sent to the sign-in page and back", async ({ browser }) => {
  const user = await registerUser("returning");
  const { context, page } = await newPage(browser);
  await page.goto("/app/tickets/new");
  await expect(page).toHaveURL(/\/login\?next=%2Fapp%2Ftickets%2Fnew$/);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("That email and password do not match an active account.")).toBeVisible();
  await screenshot(page, "14-login-error");
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/app\/tickets\/new$/);
  await context.close();
});

test("the sign-in page logs no console error while signed out", async ({ browser }) => {
  const { context, page, problems } = await newPage(browser);
  const probe = page.waitForResponse((r) => new URL(r.url()).pathname === "/auth/session");
  await page.goto("/login");
  expect((await probe).status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  expect(problems).toEqual([]);
  await context.close();
});
