import { test, expect, Page } from "./fixtures";
import { expectAccessible } from "./axe";
import { startConsole, stopConsole, Console } from "./consoles";

// Step-up: a console of its own whose operators' authentication counts for 4 seconds (CONSOLE_STEP_UP_SECS=4; the
// shared console of the other tests keeps the default). After that, a consequential write asks the operator to
// confirm it is them in a window of its own (their password, or Beyond Identity again), then carries on with the
// same write: nothing chosen is lost.
test.describe.configure({ mode: "serial" });
test.use({ storageState: { cookies: [], origins: [] } });

const PORT = 3010;
const BASE = `http://127.0.0.1:${PORT}`;
let stepUp: Console | undefined;
test.beforeAll(async () => {
  stepUp = await startConsole(PORT, { CONSOLE_STEP_UP_SECS: "4" });
});
test.afterAll(async () => stopConsole(stepUp));

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

/// A passkey authenticator for this page: Chromium's virtual one, which answers at once as if touched.
async function addAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
}

/// Signs in at `base` as admin with the password (what comes next depends on the console's passkey setting).
async function signInAsAdmin(page: Page, base: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/// Until the operator's last authentication is older than the console's 4 seconds.
async function letItAge(page: Page) {
  await page.waitForTimeout(4500);
}

test("a password operator confirms it is them in a window of its own, and the delete goes through", async ({ page }) => {
  await page.goto(`${BASE}/login`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(process.env.E2E_ADMIN_PASSWORD!);
  await page.getByRole("button", { name: "Sign in" }).click();
  await hydrated(page);
  await page.getByLabel("Search by name, username, email or external ID").fill("ken.thompson");
  await page.getByLabel("Search by name, username, email or external ID").press("Enter");
  await page.getByRole("link", { name: "ken.thompson", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Ken Thompson" })).toBeVisible();
  await hydrated(page);
  await letItAge(page);

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete identity" }).click();
  const prompt = page.getByRole("alert").filter({ hasText: "confirm it is you" });
  await expect(prompt).toContainText("Nothing was changed.");
  await expectAccessible(page);

  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    prompt.getByRole("link", { name: "Confirm it is you" }).click(),
  ]);
  await expect(popup.getByRole("heading", { name: "Confirm it is you" })).toBeVisible();
  await expect(popup.getByText("You are signed in as admin.")).toBeVisible();
  await expectAccessible(popup);
  // The confirmation reads and scans clean at 390 px wide too.
  await popup.setViewportSize({ width: 390, height: 844 });
  await expectAccessible(popup);
  // A wrong password first: said on the page, and nothing goes on.
  await popup.getByLabel("Password").fill("not-the-password");
  await popup.getByRole("button", { name: "Confirm" }).click();
  await expect(popup.getByRole("alert")).toHaveText("That password is not right. Try again.");
  await expect(page.getByRole("status")).toHaveText("Waiting for you to confirm in the window that opened…");
  await popup.getByLabel("Password").fill(process.env.E2E_ADMIN_PASSWORD!);
  await popup.getByRole("button", { name: "Confirm" }).click();
  await popup.waitForEvent("close");

  // The same delete, carried on.
  await expect(page).toHaveURL(/\/identities\?deleted=ken.thompson/);
  await expect(page.getByRole("status")).toHaveText("Deleted ken.thompson.");
});

test("an operator signed in with Beyond Identity confirms at BI, and the bulk suspend goes through with its selection", async ({ page }) => {
  await page.goto(`${BASE}/login`);
  await page.getByRole("link", { name: "Sign in with Beyond Identity" }).click();
  await page.getByRole("button", { name: "Sign in as Søren Kierkegaard (soren.kierkegaard)" }).click();
  await expect(page.locator("#signed-in-as")).toHaveText("soren.kierkegaard · admin");
  await hydrated(page);
  await page.getByRole("checkbox", { name: "Select donald.knuth" }).check();
  await page.getByRole("checkbox", { name: "Select margaret.hamilton" }).check();
  await letItAge(page);
  await page.getByRole("button", { name: "Suspend selected", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Suspend 2", exact: true }).click();
  const prompt = page.getByRole("alert").filter({ hasText: "confirm it is you" });
  await expect(prompt).toBeVisible();

  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    prompt.getByRole("link", { name: "Confirm it is you" }).click(),
  ]);
  // Straight to BI's sign-in, which asks for the passkey again.
  await expect(popup.getByRole("heading", { name: "Sign in to Identity Console" })).toBeVisible();
  await expectAccessible(popup);
  await popup.getByRole("button", { name: "Sign in as Søren Kierkegaard (soren.kierkegaard)" }).click();
  await popup.waitForEvent("close");

  await expect(page.locator("#bulk-result")).toContainText("Suspended 2 identities.");
  await expect(page.getByRole("row", { name: /donald\.knuth/ })).toContainText("Suspended");
  await expect(page.getByRole("row", { name: /margaret\.hamilton/ })).toContainText("Suspended");
});

test("a local operator registers a passkey, then signs in with their password and it, and confirms it is them with it", async ({ page }) => {
  // Passkeys belong to a host name (an address like 127.0.0.1 cannot hold one): this console by "localhost".
  const LOCAL = `http://localhost:${PORT}`;
  await addAuthenticator(page);
  const signInWithPassword = () => signInAsAdmin(page, LOCAL);
  await signInWithPassword();
  await page.getByRole("link", { name: "Account", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(page.locator("#no-passkeys")).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByLabel("Name of the new passkey").fill("Laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("status")).toHaveText("Registered the passkey “Laptop”.");
  await expect(page.getByRole("row", { name: /Laptop/ })).toContainText("never");
  await expectAccessible(page);

  // Signing in again: the password, then the passkey.
  await page.getByRole("button", { name: "Sign out" }).click();
  await signInWithPassword();
  await expect(page.getByRole("heading", { name: "Use your passkey" })).toBeVisible();
  await expectAccessible(page);
  await hydrated(page);
  await page.getByRole("button", { name: "Use your passkey" }).click();
  await expect(page.locator("#signed-in-as")).toHaveText("admin · admin");

  // A step-up asks for the passkey, not the password.
  await letItAge(page);
  await page.goto(`${LOCAL}/step-up?next=${encodeURIComponent("/step-up/done")}`);
  await expect(page.getByText("Confirm with your passkey to carry on.")).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm with your passkey" }).click();
  await expect(page.getByRole("heading", { name: "Confirmed" })).toBeVisible();
  await page.goto(`${LOCAL}/account`);
  await expect(page.getByRole("row", { name: /Laptop/ })).not.toContainText("never");

  // At 390 px wide the account page reads and scans clean, and its passkey is removed with a click.
  await page.setViewportSize({ width: 390, height: 844 });
  await hydrated(page);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Remove Laptop" }).click();
  await expect(page.locator("#no-passkeys")).toBeVisible();
  await expect(page.getByRole("row", { name: /Laptop/ })).toHaveCount(0);
  await page.getByRole("link", { name: "Back to the console" }).click();
  await expect(page.getByRole("heading", { name: "Identities", exact: true })).toBeVisible();
  // Without a passkey, the password alone signs in again.
  await page.goto(`${LOCAL}/account`);
  await page.getByRole("button", { name: "Sign out" }).click();
  await signInWithPassword();
  await expect(page.locator("#signed-in-as")).toHaveText("admin · admin");
});

test.describe("where passkeys are required (CONSOLE_LOCAL_PASSKEY=required)", () => {
  const REQUIRED_PORT = 3011;
  const LOCAL = `http://localhost:${REQUIRED_PORT}`;
  let required: Console | undefined;
  test.beforeAll(async () => {
    required = await startConsole(REQUIRED_PORT, { CONSOLE_LOCAL_PASSKEY: "required" });
  });
  test.afterAll(async () => stopConsole(required));

  test("a local operator without one registers a passkey before anything else, at 390 px wide, and cannot remove their last", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await addAuthenticator(page);
    const signInWithPassword = () => signInAsAdmin(page, LOCAL);
    await signInWithPassword();
    await expect(page.getByText("Passkeys are required here: register one to use the console.")).toBeVisible();
    await expectAccessible(page);
    // Nothing else opens until then.
    await page.goto(`${LOCAL}/`);
    await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
    await hydrated(page);
    await page.getByLabel("Name of the new passkey").fill("Phone");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByRole("status")).toHaveText("Registered the passkey “Phone”.");
    await page.getByRole("button", { name: "Remove Phone" }).click();
    await expect(page.getByRole("alert")).toContainText("register another before removing your last one");
    await expect(page.getByRole("row", { name: /Phone/ })).toBeVisible();
    await page.getByRole("link", { name: "Go to the console" }).click();
    await expect(page.locator("#signed-in-as")).toHaveText("admin · admin");

    // The next sign-in asks for it after the password; the passkey step scans clean at this width too.
    await page.getByRole("button", { name: "Sign out" }).click();
    await signInWithPassword();
    await expect(page.getByRole("heading", { name: "Use your passkey" })).toBeVisible();
    await expectAccessible(page);
    await hydrated(page);
    await page.getByRole("button", { name: "Use your passkey" }).click();
    await expect(page.locator("#signed-in-as")).toHaveText("admin · admin");
  });
});
