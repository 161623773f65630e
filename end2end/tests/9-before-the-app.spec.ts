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

// A link followed while the page's screen code is still on its way (held back here; a split build fetches it before
// hydrating) opens the next page once it has come, drawn whole (its rows, sort heads, pager, summary and filters),
// with the sidebar marking the section it is in, not the one the server drew.
test("a page left while its screen's code is still on its way opens the next one whole", async ({ page }) => {
  await page.goto("/");
  const groups = page.url().replace(/\/identities.*$/, "/groups");
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route("**/pkg/split___groups_route_view_*.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(groups, { waitUntil: "domcontentloaded" });
  await expect(page.getByRole("heading", { level: 1, name: "Groups" })).toBeVisible();
  await page.getByRole("navigation", { name: "Directory" }).getByRole("link", { name: "Identities" }).click();
  release();
  await expect(page.getByRole("heading", { level: 1, name: "Identities" })).toBeVisible();
  await expect(page.getByRole("link", { name: "ada.lovelace", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Username", exact: true })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Enrollment summary" }).getByRole("link")).not.toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Pagination" }).getByText("1", { exact: true })).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Status" }).locator("option")).toHaveCount(3);
  await expect(page.getByRole("navigation", { name: "Directory" }).getByRole("link", { name: "Identities" })).toHaveAttribute("aria-current", "page");
});
