import { test, expect, Page } from "./fixtures";
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
  // The list follows the search (it may still show the last one while it loads): every row's email matches.
  await expect(page.locator("tbody tr").first()).toBeVisible();
  await expect(page.locator("tbody tr td:nth-child(4)").filter({ hasNotText: "@acme.example" })).toHaveCount(0);

  // The Enrollment Summary's links set the filter.
  const summary = page.getByRole("navigation", { name: "Enrollment summary" });
  await summary.getByRole("link", { name: /^All/ }).click();
  await summary.getByRole("link", { name: /^Not enrolled/ }).click();
  await expect(page).toHaveURL(/enrollment=UNENROLLED/);
  await expect(page.getByLabel("Enrollment", { exact: true })).toHaveValue("UNENROLLED");
  await expect(page.locator("tbody tr td:nth-child(6)").filter({ hasNotText: /^Not enrolled$/ })).toHaveCount(0);
  await expect(page.locator("tbody tr td:nth-child(6)").first()).toHaveText("Not enrolled");
  await expectAccessible(page);

  // Sort by clicking a header (again: the other way), and back.
  const username = () => page.getByRole("columnheader", { name: /Username/ });
  await expect(username()).not.toHaveAttribute("aria-sort");
  await username().getByRole("link").click();
  await expect(page).toHaveURL(/sort=username/);
  await expect(username()).toHaveAttribute("aria-sort", "ascending");
  // The rows follow the sort once their page is read (retried: the list may still show the last one).
  const names = () => page.locator("tbody tr td:nth-child(2)").allTextContents();
  await expect(async () => {
    const shown = await names();
    expect(shown).toEqual([...shown].sort());
  }).toPass();
  await username().getByRole("link").click();
  await expect(page).toHaveURL(/sort=-username/);
  await expect(username()).toHaveAttribute("aria-sort", "descending");
  await expect(async () => {
    const shown = await names();
    expect(shown).toEqual([...shown].sort().reverse());
  }).toPass();
  await page.goBack();
  await expect(username()).toHaveAttribute("aria-sort", "ascending");

  // Refresh runs in the background, says so, and the line follows it to the end without a reload.
  const freshness = page.locator("#index-freshness");
  await freshness.getByRole("button", { name: "Refresh" }).click();
  await expect(freshness).toContainText("refreshing…");
  await expect(freshness).not.toContainText("refreshing…", { timeout: 15_000 });
  await expect(freshness).toContainText("Index updated");
  await expect(freshness.getByRole("button", { name: "Refresh" })).toBeEnabled();
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
    // Refresh is a plain form: it starts the work and comes back to the page.
    await page.locator("#index-freshness").getByRole("button", { name: "Refresh" }).click();
    await expect(page).toHaveURL(/\/identities/);
    await expect(page.locator("#index-freshness")).toContainText("Index updated");
  });
});

test("the search follows typing, and a filter applies as it is chosen", async ({ page }) => {
  await indexed(page);
  await hydrated(page);
  await page.getByLabel("Search by name, username, email or external ID").pressSequentially("hopp", { delay: 30 });
  await expect(page).toHaveURL(/q=hopp/);
  await expect(page.getByRole("link", { name: "grace.hopper", exact: true })).toBeVisible();
  await expect(page.locator("#match-count")).toHaveText("1 identity");
  await page.getByLabel("Status", { exact: true }).selectOption("suspended");
  await expect(page).toHaveURL(/q=hopp.*status=suspended/);
  await expect(page.locator("#empty-state")).toHaveText("No identity matches “hopp” with these filters.");
  await page.goBack();
  await expect(page.getByLabel("Status", { exact: true })).toHaveValue("");
  await expect(page.locator("#match-count")).toHaveText("1 identity");
});

test("groups are found by part of a name or description, with their member counts", async ({ page }) => {
  await indexed(page);
  await hydrated(page);
  await page.getByRole("navigation").getByRole("link", { name: "Groups" }).click();
  await expect(page.locator("#index-freshness")).toContainText("Index updated");
  const search = page.getByLabel("Search groups by name or description");
  await search.fill("payroll");
  await search.press("Enter");
  await expect(page).toHaveURL(/q=payroll/);
  const rows = page.locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Finance");
  await expect(rows.first().getByRole("cell").nth(2)).toHaveText("5");
  await search.fill("");
  await search.press("Enter");
  await page.getByRole("columnheader", { name: /Members/ }).getByRole("link").click();
  await expect(page.getByRole("columnheader", { name: /Members/ })).toHaveAttribute("aria-sort", "ascending");
  await expect(async () => {
    const counts = (await page.locator("tbody tr td:nth-child(3)").allTextContents()).map(Number);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  }).toPass();
  await expectAccessible(page);
});

test("the member picker finds people by email domain and adds every result at once", async ({ page }) => {
  await indexed(page);
  await hydrated(page);
  await page.getByRole("navigation").getByRole("link", { name: "Groups" }).click();
  await page.getByRole("link", { name: "Create group" }).first().click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Everyone at Acme");
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page.getByRole("heading", { name: "Members (0)" })).toBeVisible();
  await hydrated(page);

  await page.getByRole("button", { name: "Add members" }).click();
  const picker = page.getByRole("dialog", { name: "Add members to Everyone at Acme" });
  await picker.getByRole("searchbox", { name: "Search identities" }).pressSequentially("@acme.exam", { delay: 20 });
  await expect(picker.getByText(/\d+ identities match “@acme.exam”/)).toBeVisible();
  const selectAll = picker.getByRole("button", { name: /^Select all \d+ results$/ });
  await expect(selectAll).toBeVisible();
  const n = Number((await selectAll.textContent())!.match(/\d+/)![0]);
  expect(n).toBeGreaterThan(10); // more than one page of the picker
  await expect(picker.getByText(`1–10 of ${n}`)).toBeVisible();
  await selectAll.click();
  await expect(picker.getByRole("list", { name: "Selected identities" })).toContainText(`All ${n} results for “@acme.exam”`);
  await expectAccessible(page);
  await picker.getByRole("button", { name: `Add ${n} identities` }).click();
  await expect(picker).toBeHidden();
  await expect(page.locator("#membership-result")).toContainText(`Added ${n} identities.`);
  await expect(page.getByRole("heading", { name: `Members (${n})` })).toBeVisible();

  // Again: everyone found is already a member, and nothing is sent for them.
  await page.getByRole("button", { name: "Add members" }).click();
  await picker.getByRole("searchbox", { name: "Search identities" }).fill("@acme.exam");
  await picker.getByRole("button", { name: "Search" }).click();
  await picker.getByRole("button", { name: `Select all ${n} results` }).click();
  await picker.getByRole("button", { name: `Add ${n} identities` }).click();
  await expect(page.locator("#membership-result")).toContainText("Added 0 identities.");
  await expect(page.locator("#membership-result")).toContainText("Already members, left as they were");

  // Emptied and deleted again, so that the other files find the realm's memberships as seeded.
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("dialog", { name: "Delete group?" }).getByRole("button", { name: "Delete group" }).click();
  await page.locator("#delete-refused").getByRole("button", { name: `Remove all ${n} members and delete` }).click();
  await page.getByRole("dialog", { name: `Remove all ${n} members and delete?` }).getByRole("button", { name: `Remove ${n} members and delete` }).click();
  await expect(page).toHaveURL(/\/groups\?deleted=/);
  await expect(page.getByRole("status")).toHaveText(`Removed ${n} members and deleted Everyone at Acme.`);
});
