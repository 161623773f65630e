import { test, expect, Page } from "./fixtures";
import { expectAccessible } from "./axe";
import { startConsole, stopConsole, Console } from "./consoles";
import { createServer, Server } from "node:http";

// The audit log sent to a SIEM (CONSOLE_AUDIT_SINK, JSON lines over HTTP to a receiver on this machine). While the
// receiver is down the Audit page says the SIEM is behind; once it is up again every event arrives, each once, and
// the warning is gone.
test.describe.configure({ mode: "serial" });
test.use({ storageState: { cookies: [], origins: [] } });

const PORT = 3012;
const BASE = `http://127.0.0.1:${PORT}`;
const SIEM_PORT = 3013;

let console_: Console | undefined;
let siem: Server | undefined;
const received: { id: string; action: string; operator: string }[] = [];

test.beforeAll(async () => {
  console_ = await startConsole(PORT, {
    CONSOLE_AUDIT_SINK: `http://127.0.0.1:${SIEM_PORT}/events`,
    CONSOLE_AUDIT_SINK_TIMEOUT_SECS: "2",
  });
});
test.afterAll(async () => {
  await stopConsole(console_);
  siem?.close();
});

/// The SIEM's receiver: takes each POST of JSON lines and keeps the events.
function startSiem(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      for (const line of body.split("\n").filter((l) => l.trim())) received.push(JSON.parse(line));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return new Promise((resolve) => server.listen(SIEM_PORT, "127.0.0.1", () => resolve(server)));
}

async function signIn(page: Page) {
  await page.goto(`${BASE}/login`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("link", { name: "Audit" }).first()).toBeVisible();
}

test("with the SIEM down the Audit page says it is behind; once it is back every event arrives once", async ({
  page,
}) => {
  // The sender backs off up to a minute between attempts while the receiver is down.
  test.setTimeout(150_000);
  await signIn(page);
  await page.getByRole("link", { name: "Audit" }).first().click();
  const warning = page.getByRole("status").filter({ hasText: "The SIEM is behind" });
  await expect(warning).toContainText(`not yet sent to http://127.0.0.1:${SIEM_PORT}`);
  await expect(warning).toContainText("Last attempt:");
  // The sign-in is in the log here, waiting to be sent.
  await expect(page.getByRole("cell", { name: "operator.sign_in" }).first()).toBeVisible();
  await expectAccessible(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(warning).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expectAccessible(page);

  siem = await startSiem();
  // Retried with a backoff (doubling up to a minute): the waiting events are sent at the next attempt.
  await expect
    .poll(() => received.filter((e) => e.action === "operator.sign_in" && e.operator === "admin").length, {
      timeout: 75_000,
    })
    .toBe(1);
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("heading", { name: "Audit" }).first()).toBeVisible();
    await expect(page.getByText("The SIEM is behind")).toHaveCount(0);
  }).toPass({ timeout: 30_000 });
  const ids = received.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
});
