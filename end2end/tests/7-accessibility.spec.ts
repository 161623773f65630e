import { test, expect, Page } from "./fixtures";
import { expectAccessible } from "./axe";

// Every screen, scanned with axe-core (WCAG 2.1 A and AA), at desktop width and at 390 px.
async function everyScreen(page: Page) {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Identities" })).toBeVisible();
  const realm = new URL(page.url()).pathname.split("/")[2];
  const screens: [string, string][] = [
    [`/realms/${realm}/identities`, "Identities"],
    [`/realms/${realm}/identities/new`, "Add identity"],
    [`/realms/${realm}/groups`, "Groups"],
    [`/realms/${realm}/groups/new`, "Create group"],
    [`/realms/${realm}/audit`, "Audit"],
    [`/realms/${realm}/outbox`, "Outbox"],
    [`/realms/${realm}/import`, "Import identities"],
  ];
  for (const [path, heading] of screens) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    await expectAccessible(page);
  }
  // An import's plan (a file that changes nothing: nothing is written).
  await page.getByLabel("File (CSV or JSON)").setInputFiles({ name: "same.csv", mimeType: "text/csv", buffer: Buffer.from("username\nada.lovelace\n") });
  await page.getByRole("button", { name: "Plan import" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Import plan" })).toBeVisible();
  await expect(page.locator("#import-status")).toHaveText("Nothing to do: the realm already matches this file.");
  await expectAccessible(page);
  await page.goto(`/realms/${realm}/identities`);
  await page.getByRole("link", { name: "ada.lovelace", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ada Lovelace" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Edit identity" })).toBeVisible();
  await expectAccessible(page);
  await page.goto(`/realms/${realm}/groups`);
  await page.getByRole("link", { name: "Finance", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Finance" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Edit group" })).toBeVisible();
  await expectAccessible(page);
}

test("every screen passes an accessibility scan", async ({ page }) => {
  await everyScreen(page);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test("every screen passes an accessibility scan at 390 px", async ({ page }) => {
    await everyScreen(page);
  });
});

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });
  test("the sign-in page passes an accessibility scan", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await expectAccessible(page);
  });
});
