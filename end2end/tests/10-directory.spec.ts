import { test, expect, Page } from "@playwright/test";
import { expectAccessible } from "./axe";

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

/// Opens the identities list and waits until the realm's index is ready (the first visit starts it).
async function indexed(page: Page) {
  await page.goto("/");
  await expect(async () => {
    await page.reload();
    await expect(page.locator("#index-freshness")).toContainText("Index updated", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
}

test("find anyone by part of a name or an email domain, filter by enrollment, sort by a column", async ({ page }) => {
  await indexed(page);
  await hydrated(page);
  const search = page.getByLabel("Search by name, username, email or external ID");
  await search.fill("LOVEL");
  await search.press("Enter");
  await expect(page).toHaveURL(/q=LOVEL/);
  await expect(page.getByRole("link", { name: "ada.lovelace", exact: true })).toBeVisible();
  await expect(page.locator("#match-count")).toHaveText(/^\d+ identit(y|ies)$/);

  await search.fill("@acme.example");
  await search.press("Enter");
  await expect(page.locator("tbody tr").first()).toBeVisible();
  for (const email of await page.locator("tbody tr td:nth-child(4)").allTextContents()) {
    expect(email).toContain("@acme.example");
  }

  // The Enrollment Summary's links set the filter.
  const summary = page.getByRole("navigation", { name: "Enrollment summary" });
  await summary.getByRole("link", { name: /^All/ }).click();
  await summary.getByRole("link", { name: /^Not enrolled/ }).click();
  await expect(page).toHaveURL(/enrollment=UNENROLLED/);
  await expect(page.getByLabel("Enrollment", { exact: true })).toHaveValue("UNENROLLED");
  for (const state of await page.locator("tbody tr td:nth-child(6)").allTextContents()) {
    expect(state).toBe("Not enrolled");
  }
  await expectAccessible(page);

  // Sort by clicking a header (again: the other way), and back.
  const username = () => page.getByRole("columnheader", { name: /Username/ });
  await expect(username()).not.toHaveAttribute("aria-sort");
  await username().getByRole("link").click();
  await expect(page).toHaveURL(/sort=username/);
  await expect(username()).toHaveAttribute("aria-sort", "ascending");
  let names = await page.locator("tbody tr td:nth-child(2)").allTextContents();
  expect(names).toEqual([...names].sort());
  await username().getByRole("link").click();
  await expect(page).toHaveURL(/sort=-username/);
  await expect(username()).toHaveAttribute("aria-sort", "descending");
  names = await page.locator("tbody tr td:nth-child(2)").allTextContents();
  expect(names).toEqual([...names].sort().reverse());
  await page.goBack();
  await expect(username()).toHaveAttribute("aria-sort", "ascending");

  // Refresh runs in the background and says so.
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(page.locator("#index-freshness")).toContainText("Refreshing");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("search, filter and sort work as a plain form and plain links", async ({ page }) => {
    await indexed(page);
    await page.getByLabel("Search by name, username, email or external ID").fill("hopper");
    await page.getByLabel("Status", { exact: true }).selectOption("active");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/q=hopper.*status=active/);
    await expect(page.getByRole("link", { name: "grace.hopper", exact: true })).toBeVisible();
    await page.getByRole("columnheader", { name: /Created/ }).getByRole("link").click();
    await expect(page).toHaveURL(/sort=created/);
    await expect(page.getByRole("columnheader", { name: /Created/ })).toHaveAttribute("aria-sort", "ascending");
  });
});
