import { test, expect } from "./fixtures";

// While the app's wasm is still on its way (held back here, as on a slow link), pages read and links work; the
// controls that need the app are visibly not ready (disabled), and a click on one goes through once it is.
test("controls that need the app wait visibly, then work", async ({ page }) => {
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route("**/pkg/*.wasm", async (route) => {
    await held;
    await route.continue();
  });

  await page.goto("/", { waitUntil: "domcontentloaded" });
  await expect(page.getByRole("heading", { level: 1, name: "Identities" })).toBeVisible();
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "false");
  await expect(page.getByRole("checkbox", { name: "Select all on this page" })).toBeDisabled();
  // A plain link still works before the app.
  await page.getByRole("link", { name: "ada.lovelace", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ada Lovelace" })).toBeVisible();
  const suspend = page.getByRole("button", { name: "Suspend", exact: true });
  await expect(suspend).toBeDisabled();
  await expect(page.getByRole("button", { name: "Delete", exact: true })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Add to groups", exact: true })).toBeDisabled();

  // The app arrives: the same click now opens the confirmation.
  release();
  await suspend.click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Suspend ada.lovelace");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator("#identity-status")).toHaveText("Active");
});
