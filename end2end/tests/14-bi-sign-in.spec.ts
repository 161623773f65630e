import { test, expect, Page } from "./fixtures";
import { expectAccessible } from "./axe";

// Signing in with Beyond Identity, the sandbox playing BI: the demo realm's "Console Admins", "Service Desk" and
// "Console Viewers" give the console's roles. The test command runs the console with CONSOLE_OIDC_RECHECK_SECS=2,
// so a change at BI reaches a session within seconds.
test.describe.configure({ mode: "serial" });
test.use({ storageState: { cookies: [], origins: [] } });

/// From the sign-in page, through BI's (the sandbox's) passkey sign-in, as `who` (the button's name).
async function signInWithBi(page: Page, who: string) {
  await page.goto("/login");
  await page.getByRole("link", { name: "Sign in with Beyond Identity" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Identity Console" })).toBeVisible();
  await page.getByRole("button", { name: who }).click();
}

test("an admin signs in with their passkey; BI's sign-in page passes the scan too", async ({ page }) => {
  await page.goto("/login");
  await expectAccessible(page);
  await page.getByRole("link", { name: "Sign in with Beyond Identity" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Identity Console" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Sign in as Søren Kierkegaard (soren.kierkegaard)" }).click();
  await expect(page.locator("#signed-in-as")).toHaveText("soren.kierkegaard · admin");
  await expect(page.getByRole("heading", { name: "Identities" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Add identity" })).toBeVisible();
});

test("at 390 px wide the way through BI's sign-in reads and scans clean too", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/login");
  await expect(page.getByRole("link", { name: "Sign in with Beyond Identity" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Sign in with Beyond Identity" }).click();
  const who = page.getByRole("button", { name: "Sign in as Jean Bartik (jean.bartik)" });
  await expect(who).toBeInViewport({ ratio: 0 });
  await expectAccessible(page);
  // Nothing wider than the screen: no sideways scrolling.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await who.click();
  await expect(page.locator("#signed-in-as")).toHaveText("jean.bartik · viewer");
});

test("an identity in none of the console's groups is told why it cannot sign in", async ({ page }) => {
  await signInWithBi(page, "Sign in as Ada Lovelace (ada.lovelace)");
  await expect(page).toHaveURL(/\/login\?error=bi-no-role/);
  await expect(page.getByRole("alert")).toContainText("This identity has no role in the console");
  await expectAccessible(page);
});

test("a helpdesk operator cannot delete, and loses the session once taken out of Service Desk", async ({ browser }) => {
  const desk = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const helpdesk = await desk.newPage();
  await signInWithBi(helpdesk, "Sign in as Radia Perlman (radia.perlman)");
  await expect(helpdesk.locator("#signed-in-as")).toHaveText("radia.perlman · helpdesk");
  await helpdesk.getByRole("link", { name: "alan.turing", exact: true }).click();
  await expect(helpdesk.getByRole("heading", { level: 1, name: "Alan Turing" })).toBeVisible();
  await expect(helpdesk.getByRole("button", { name: "Suspend", exact: true })).toBeVisible();
  await expect(helpdesk.getByRole("button", { name: "Delete", exact: true })).toHaveCount(0);

  // An admin (signed in with BI too) takes her out of Service Desk.
  const adminContext = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const admin = await adminContext.newPage();
  await signInWithBi(admin, "Sign in as Chloé Dubois (chloe.dubois)");
  await expect(admin.locator("#signed-in-as")).toHaveText("chloe.dubois · admin");
  await expect(admin.locator("#app")).toHaveAttribute("data-hydrated", "true");
  await admin.getByRole("navigation", { name: "Directory" }).getByRole("link", { name: "Groups" }).click();
  await admin.getByRole("link", { name: "Service Desk", exact: true }).click();
  await expect(admin.getByRole("heading", { level: 1, name: "Service Desk" })).toBeVisible();
  await admin.getByRole("button", { name: "Remove radia.perlman" }).click();
  await admin.getByRole("dialog", { name: "Remove member?" }).getByRole("button", { name: "Remove member" }).click();
  await expect(admin.locator("#membership-result")).toContainText("Removed 1 identity.");

  // Her next request after the re-check period: the session is over.
  await helpdesk.waitForTimeout(2500);
  await helpdesk.reload();
  await expect(helpdesk).toHaveURL(/\/login\?next=/);
  await expect(helpdesk.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await desk.close();
  await adminContext.close();
});

test.describe("before any script runs", () => {
  test.use({ javaScriptEnabled: false });

  test("signing in with Beyond Identity is plain links, forms and redirects", async ({ page }) => {
    await signInWithBi(page, "Sign in as Jean Bartik (jean.bartik)");
    await expect(page.locator("#signed-in-as")).toHaveText("jean.bartik · viewer");
    await expect(page.getByRole("heading", { name: "Identities" })).toBeVisible();
  });
});
