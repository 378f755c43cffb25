import { expect, test, type Page, type Route } from "@playwright/test";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expectAccessible } from "./a11y";
import { assignToSelf, createTicket, makeAgent, messages, newPage, registerUser, screenshot, signIn, unique } from "./support";

const MiB = 1024 * 1024;
const UPLOADS = "**/tickets/*/attachments";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A real PNG, drawn by the browser: what a screenshot on the clipboard looks like. */
async function drawPng(page: Page, width: number, height: number): Promise<Buffer> {
  const bytes = await page.evaluate(
    async ({ w, h }) => {
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext("2d")!;
      ctx.fillStyle = "#4f46e5";
      ctx.fillRect(0, 0, w, h);
      ctx.fillStyle = "#fde68a";
      ctx.fillRect(w / 4, h / 4, w / 2, h / 2);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), "image/png"));
      return [...new Uint8Array(await blob.arrayBuffer())];
    },
    { w: width, h: height },
  );
  return Buffer.from(bytes);
}

/** Paste a file into the focused element, as the clipboard does with a screenshot. */
async function pasteFile(page: Page, file: { name: string; type: string; bytes: Buffer }): Promise<void> {
  await page.evaluate(
    ({ name, type, bytes }) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], name, { type }));
      const event = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
      document.activeElement!.dispatchEvent(event);
    },
    { name: file.name, type: file.type, bytes: [...file.bytes] },
  );
}

/** Hold every upload request until `release` is called: the composer shows its progress meanwhile. */
async function holdUploads(page: Page): Promise<{ held: () => number; release: () => Promise<void> }> {
  const waiting: Route[] = [];
  await page.route(UPLOADS, (route) => {
    waiting.push(route);
  });
  return {
    held: () => waiting.length,
    release: async () => {
      await page.unroute(UPLOADS);
      for (const route of waiting.splice(0)) await route.continue().catch(() => {}); // cancelled meanwhile
    },
  };
}

function uploads(page: Page) {
  return page.getByTestId("upload-tray").getByTestId("upload");
}

test("a pasted screenshot and a chosen file reach the agent live, and download as the same bytes", async ({ browser }) => {
  const userAccount = await registerUser("Pia");
  const agentAccount = await makeAgent("Omar");
  const { id } = await createTicket(userAccount.token, unique("Attachments"), "The checkout page shows an error.");
  await assignToSelf(agentAccount.token, id);

  const user = await newPage(browser);
  await signIn(user.page, userAccount, /\/app\/tickets$/);
  await user.page.goto(`/app/tickets/${id}`);
  await expect(user.page.getByTestId("connection-state")).toHaveText("Connected");

  const agent = await newPage(browser);
  await signIn(agent.page, agentAccount, /\/app\/inbox$/);
  await agent.page.goto(`/app/inbox/${id}`);
  await expect(agent.page.getByTestId("connection-state")).toHaveText("Connected");

  const png = await drawPng(user.page, 320, 200);
  const text = Buffer.from("order 1234\ncheckout failed at step 3\n");
  const uploadRequests: string[] = [];
  user.page.on("request", (r) => {
    if (r.method() === "POST" && /\/tickets\/\d+\/attachments$/.test(r.url())) uploadRequests.push(r.url());
  });

  // Paste a screenshot into the message box: it uploads at once, with a progress bar.
  const hold = await holdUploads(user.page);
  const box = user.page.getByLabel("Message", { exact: true });
  await box.focus();
  await pasteFile(user.page, { name: "screenshot.png", type: "image/png", bytes: png });
  const bar = user.page.getByRole("progressbar", { name: "Uploading screenshot.png" });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute("aria-valuenow", /^\d+$/);
  await expect(user.page.getByRole("button", { name: "Send" })).toBeDisabled();
  await expect(user.page.getByText("Uploading 1 file…")).toBeVisible();

  // A second file, from the attach button; cancelled while it uploads.
  let chooser = user.page.waitForEvent("filechooser");
  await user.page.getByRole("button", { name: "Attach files" }).click();
  await (await chooser).setFiles({ name: "cancel-me.txt", mimeType: "text/plain", buffer: Buffer.from("never mind") });
  await expect(user.page.getByRole("progressbar", { name: "Uploading cancel-me.txt" })).toBeVisible();
  await expect.poll(hold.held).toBe(2);
  await user.page.getByRole("button", { name: "Cancel upload of cancel-me.txt" }).click();
  await expect(uploads(user.page)).toHaveCount(1);
  await hold.release();

  // The screenshot arrives: its thumbnail stays in the composer, the bar goes.
  await expect(uploads(user.page).first()).toHaveAttribute("data-state", "done");
  await expect(bar).toHaveCount(0);
  await expect(uploads(user.page).first().locator("img")).toBeVisible();

  // And a text file from the attach button, uploaded without being held.
  chooser = user.page.waitForEvent("filechooser");
  await user.page.getByRole("button", { name: "Attach files" }).click();
  await (await chooser).setFiles({ name: "order-1234.txt", mimeType: "text/plain", buffer: text });
  await expect(uploads(user.page)).toHaveCount(2);
  await expect(uploads(user.page).nth(1)).toHaveAttribute("data-state", "done");
  await expectAccessible(user.page, "user: composer with uploads");
  await screenshot(user.page, "20-attachments-composer");

  // No words needed: a message of files alone.
  await expect(box).toHaveValue("");
  await user.page.getByRole("button", { name: "Send" }).click();
  await expect(uploads(user.page)).toHaveCount(0);
  const sent = messages(user.page).first();
  await expect(sent.getByRole("img", { name: "screenshot.png" })).toBeVisible();
  await expect(sent.getByTestId("attachment-file")).toContainText("order-1234.txt");

  // The agent sees it live: the thumbnail (loaded, not broken) and the file chip with its size.
  const received = messages(agent.page).first();
  const thumb = received.getByRole("img", { name: "screenshot.png" });
  await expect(thumb).toBeVisible();
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320);
  const chip = received.getByTestId("attachment-file");
  await expect(chip).toContainText("order-1234.txt");
  await expect(chip).toContainText(`${text.length} B`);
  await screenshot(agent.page, "21-attachments-agent");
  await expectAccessible(agent.page, "agent: conversation with attachments");

  // The agent downloads both, with their session: exactly the bytes that were sent.
  const imageLink = received.getByTestId("attachment-image");
  const image = await agent.page.request.get((await imageLink.getAttribute("href"))!);
  expect(image.status()).toBe(200);
  expect(image.headers()["content-type"]).toBe("image/png");
  expect(sha256(await image.body())).toBe(sha256(png));
  const download = agent.page.waitForEvent("download");
  await chip.click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("order-1234.txt");
  expect(sha256(await readFile((await file.path())!))).toBe(sha256(text));
  // Clicking the thumbnail opens the full image in a new tab.
  const popup = agent.page.waitForEvent("popup");
  await imageLink.click();
  const tab = await popup;
  await expect(tab).toHaveURL(new RegExp(`/attachments/\\d+$`));
  await tab.close();

  // Too large: refused in the composer, no request made, nothing sent.
  const before = uploadRequests.length;
  await user.page.getByTestId("file-input").setInputFiles({
    name: "huge.bin",
    mimeType: "application/octet-stream",
    buffer: Buffer.alloc(10 * MiB + 1, 7),
  });
  const refused = uploads(user.page).first();
  await expect(refused).toHaveAttribute("data-state", "failed");
  await expect(refused.getByRole("alert")).toHaveText("huge.bin is larger than 10 MiB, the most a file can be.");
  await expect(user.page.getByRole("button", { name: "Send" })).toBeDisabled();
  expect(uploadRequests.length).toBe(before);
  await user.page.getByRole("button", { name: "Remove huge.bin" }).click();
  await expect(uploads(user.page)).toHaveCount(0);
  await expect(messages(user.page)).toHaveCount(1);
  await expect(messages(agent.page)).toHaveCount(1);

  for (const c of [user, agent]) {
    expect(c.problems.filter((p) => !p.includes("/favicon.ico"))).toEqual([]);
    await c.context.close();
  }
});

test("the server's 413 reads like the composer's own size check", async ({ browser }) => {
  const userAccount = await registerUser("Lev");
  const { id } = await createTicket(userAccount.token, unique("Too big"), "A limit lower than ours.");
  const { context, page } = await newPage(browser);
  await signIn(page, userAccount, /\/app\/tickets$/);
  await page.goto(`/app/tickets/${id}`);
  // A server configured with a lower MYRELAY_MAX_UPLOAD than the web app's default.
  await page.route(UPLOADS, (route) =>
    route.fulfill({
      status: 413,
      contentType: "application/problem+json",
      body: JSON.stringify({ type: "about:blank", title: "Payload Too Large", status: 413, code: "payload_too_large", detail: "Too large." }),
    }),
  );
  await page.getByTestId("file-input").setInputFiles({ name: "log.txt", mimeType: "text/plain", buffer: Buffer.from("x".repeat(2048)) });
  const refused = uploads(page).first();
  await expect(refused).toHaveAttribute("data-state", "failed");
  await expect(refused.getByRole("alert")).toHaveText("log.txt is larger than 10 MiB, the most a file can be.");
  await expect(page.getByRole("button", { name: "Send" })).toBeDisabled();
  await context.close();
});

test("an agent drops a file on an internal note: staff see it in the note, the customer never does", async ({ browser }) => {
  const userAccount = await registerUser("Ada");
  const agentAccount = await makeAgent("Kim");
  const { id } = await createTicket(userAccount.token, unique("Note files"), "Please check my account.");
  await assignToSelf(agentAccount.token, id);

  const agent = await newPage(browser);
  await signIn(agent.page, agentAccount, /\/app\/inbox$/);
  await agent.page.goto(`/app/inbox/${id}`);
  await expect(agent.page.getByTestId("connection-state")).toHaveText("Connected");
  await agent.page.getByRole("switch", { name: "Internal note" }).check();

  // Drag a file over the conversation: the drop target shows; drop it there.
  const zone = agent.page.getByTestId("drop-zone");
  const data = await agent.page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(["refund reference R-77\n"], "refund.txt", { type: "text/plain" }));
    return dt;
  });
  await agent.page.getByTestId("message-list").dispatchEvent("dragenter", { dataTransfer: data });
  await expect(agent.page.getByTestId("drop-target")).toBeVisible();
  await zone.dispatchEvent("drop", { dataTransfer: data });
  await expect(agent.page.getByTestId("drop-target")).toHaveCount(0);
  await expect(uploads(agent.page).first()).toHaveAttribute("data-state", "done");

  await agent.page.getByLabel("Note to staff").fill("Refund issued, see the file.");
  await agent.page.getByRole("button", { name: "Add note" }).click();
  const note = messages(agent.page).first();
  await expect(note).toHaveAttribute("data-internal", "true");
  await expect(note.getByTestId("attachment-file")).toContainText("refund.txt");

  const user = await newPage(browser);
  await signIn(user.page, userAccount, /\/app\/tickets$/);
  await user.page.goto(`/app/tickets/${id}`);
  await expect(user.page.getByTestId("connection-state")).toHaveText("Connected");
  await expect(user.page.getByText("No messages yet. Say hello below.")).toBeVisible();
  await expect(user.page.getByText("refund.txt")).toHaveCount(0);

  for (const c of [user, agent]) {
    expect(c.problems.filter((p) => !p.includes("/favicon.ico"))).toEqual([]);
    await c.context.close();
  }
});
