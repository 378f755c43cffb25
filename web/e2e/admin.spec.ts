import { expect, test } from "@playwright/test";
import { ADMIN, createTicket, registerUser, screenshot, signIn, signedInPage, unique } from "./support";

test("an admin changes a role and deactivates an account, after confirming, and it applies at once", async ({ browser }) => {
  const person = await registerUser("Promoted");
  const victim = await signedInPage(browser, person, /\/app\/tickets$/);

  const admin = await signedInPage(browser, ADMIN, /\/app\/inbox$/);
  await admin.page.goto(`/app/admin/users?q=${encodeURIComponent(person.name)}`);
  const row = admin.page.getByTestId("user-row").filter({ hasText: person.email });
  await expect(row).toHaveCount(1);

  // Role change: the dialog asks first; Cancel leaves everything as it was.
  await row.getByLabel(`Role of ${person.name}`).selectOption("agent");
  const dialog = admin.page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: `Make ${person.name} agent?` })).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByLabel(`Role of ${person.name}`)).toHaveValue("user");

  await row.getByLabel(`Role of ${person.name}`).selectOption("agent");
  await screenshot(admin.page, "15-admin-confirm-role");
  await dialog.getByRole("button", { name: "Change role" }).click();
  await expect(admin.page.getByText(`${person.name} is now agent.`)).toBeVisible();
  await expect(row.getByLabel(`Role of ${person.name}`)).toHaveValue("agent");

  // Their open tab reconnects with the new role.
  await expect(victim.page.getByTestId("current-user")).toContainText("(Agent)");
  await victim.page.goto("/app");
  await expect(victim.page).toHaveURL(/\/app\/inbox$/);

  // Deactivation signs them out everywhere at once.
  await row.getByRole("button", { name: "Deactivate" }).click();
  await expect(dialog.getByRole("heading", { name: `Deactivate ${person.name}?` })).toBeVisible();
  await dialog.getByRole("button", { name: "Deactivate" }).click();
  await expect(row).toContainText("Deactivated");
  await expect(victim.page).toHaveURL(/\/login/);

  await row.getByRole("button", { name: "Reactivate" }).click();
  await dialog.getByRole("button", { name: "Reactivate" }).click();
  await expect(row).toContainText("Active");
  await signIn(victim.page, person, /\/app\/inbox$/);

  // Nobody edits their own account here.
  await admin.page.goto(`/app/admin/users?q=${encodeURIComponent(ADMIN.email)}`);
  const self = admin.page.getByTestId("user-row").filter({ hasText: "(you)" });
  await expect(self.getByRole("combobox")).toBeDisabled();
  await expect(self.getByRole("button", { name: "Deactivate" })).toHaveCount(0);

  await victim.context.close();
  await admin.context.close();
});

test("dashboard updates without a reload", async ({ browser }) => {
  const admin = await signedInPage(browser, ADMIN, /\/app\/inbox$/);
  await admin.page.getByRole("link", { name: "Dashboard" }).first().click();
  const total = admin.page.getByTestId("stat-total_tickets");
  const open = admin.page.getByTestId("stat-open_tickets");
  await expect(total).toHaveText(/^\d+$/);
  const before = { total: Number(await total.textContent()), open: Number(await open.textContent()) };
  // Anything that reloads the page would drop this mark.
  await admin.page.evaluate(() => Object.assign(window, { __sameDocument: true }));

  const person = await registerUser("counted");
  await createTicket(person.token, unique("Counted live"), "The dashboard should count this without a reload.");
  await expect(total).toHaveText(String(before.total + 1));
  await expect(open).toHaveText(String(before.open + 1));
  expect(await admin.page.evaluate(() => "__sameDocument" in window)).toBe(true);
  expect(admin.problems).toEqual([]);
  await admin.context.close();
});
