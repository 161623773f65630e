import { test, expect, Page } from "./fixtures";
import { expectAccessible } from "./axe";

// At 390 × 844: nothing is pushed off-screen, the menu opens behind a button, the primary action stays reachable.
test.use({ viewport: { width: 390, height: 844 } });

async function fitsTheScreen(page: Page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "no sideways scrolling of the page").toBeLessThanOrEqual(390);
}

test("on a phone: add an identity, then open a group through the menu", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Identities" })).toBeVisible();
  await fitsTheScreen(page);
  // The directory navigation waits behind the menu button.
  await expect(page.getByRole("navigation", { name: "Directory" })).toBeHidden();
  await page.screenshot({ path: "test-results/phone-identities.png", fullPage: true });

  const username = `phone.made.${Date.now()}`;
  await page.getByRole("link", { name: "Add identity" }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: "Add identity" })).toBeVisible();
  await fitsTheScreen(page);
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Phone Made");
  await page.getByRole("textbox", { name: "Username", exact: true }).fill(username);
  await page.getByRole("button", { name: "Add identity" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Phone Made" })).toBeVisible();
  await fitsTheScreen(page);

  await page.getByText("Menu", { exact: true }).click();
  const directory = page.getByRole("navigation", { name: "Directory" });
  await expect(directory).toBeVisible();
  await expectAccessible(page);
  await directory.getByRole("link", { name: "Groups" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Groups" })).toBeVisible();
  await expect(directory, "the menu closes once a page is chosen").toBeHidden();
  await fitsTheScreen(page);
  await page.getByRole("link", { name: "Finance", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Finance" })).toBeVisible();
  await fitsTheScreen(page);
  await page.screenshot({ path: "test-results/phone-group.png", fullPage: true });
});

test("on a phone: an identity's passkeys, and an enrollment link to hand over", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  const search = page.getByRole("searchbox", { name: "Search by name, username, email or external ID" });
  await search.fill("katherine.johnson");
  await search.press("Enter");
  await page.getByRole("link", { name: "katherine.johnson", exact: true }).click();
  await expect(page.getByRole("heading", { name: /^Passkeys \(\d+\)$/ })).toBeVisible();
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  await fitsTheScreen(page);
  await page.getByRole("button", { name: "Get enrollment link" }).click();
  await expect(page.getByRole("textbox", { name: "Enrollment link" })).toHaveValue(/:invokeAuthenticator\?token=/);
  await fitsTheScreen(page);
  await expectAccessible(page);
});
