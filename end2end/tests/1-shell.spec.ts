import { test, expect, Page } from "./fixtures";

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

/// The total a list's range label states ("1–25 of 61" → 61). Other tests add and remove identities, so each test
/// reads the realm's count instead of assuming the seed's.
async function total(page: Page): Promise<number> {
  await expect(page.locator("#range-label")).toHaveText(/^\d+–\d+ of \d+$/);
  const text = (await page.locator("#range-label").textContent()) ?? "";
  return Number(text.split(" of ")[1]);
}

test("the console opens on the sandbox with the shell, the realm picker and seeded identities", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // A failed request (a missing icon, a chunk that is not there) is a console error too.
  page.on("console", (m) => { if (m.type() === "error") errors.push(`${m.text()} ${m.location().url}`); });
  // Every script module the page loads (the main module and, in a split build, the chunks' loader it imports).
  const modules: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (r.resourceType() === "script" && path.startsWith("/pkg/") && path.endsWith(".js")) modules.push(path);
  });

  await page.goto("/");
  await expect(page).toHaveURL(/\/realms\/[0-9a-f]{16}\/identities/);
  await expect(page.getByRole("heading", { name: "Identities" })).toBeVisible();
  await expect(page.locator("#mode-badge")).toHaveText("Sandbox");

  const nav = page.getByRole("navigation", { name: "Directory" });
  await expect(nav.getByRole("link", { name: "Identities" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Groups" })).toBeVisible();

  const picker = page.getByLabel("Realm");
  await expect(picker.locator("option:checked")).toHaveText("Acme Workforce");
  await expect(picker.locator("option")).toHaveText(["Acme Workforce", "Acme Customers"]);

  // Seeded identities (60, and whatever other tests added), first page of 25.
  const n = await total(page);
  expect(n).toBeGreaterThanOrEqual(50);
  await expect(page.locator("#range-label")).toHaveText(`1–25 of ${n}`);
  await expect(page.getByRole("cell", { name: "ada.lovelace", exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Zoë Ångström", exact: true })).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(25);

  // Tailwind produced real CSS.
  const weight = await page.getByRole("heading", { name: "Identities" }).evaluate((el) => getComputedStyle(el).fontWeight);
  expect(weight).toBe("600");

  await hydrated(page);
  expect(errors).toEqual([]);
  // ...each of them named in the head, so the browser fetches them all at once instead of one after another.
  expect(modules.length).toBeGreaterThan(0);
  const preloaded = await page.locator("head link[rel=modulepreload]").evaluateAll((links) =>
    links.map((l) => new URL((l as HTMLLinkElement).href).pathname));
  for (const module of new Set(modules)) expect(preloaded).toContain(module);
});

test("paging lives in the URL and Back works", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const n = await total(page);
  expect(n).toBeGreaterThan(50);
  const third = Math.min(75, n);
  await page.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.locator("#range-label")).toHaveText(`26–50 of ${n}`);
  await page.getByRole("link", { name: "Page 3" }).click();
  await expect(page.locator("#range-label")).toHaveText(`51–${third} of ${n}`);
  await expect(page.locator("tbody tr")).toHaveCount(third - 50);
  await page.goBack();
  await expect(page.locator("#range-label")).toHaveText(`26–50 of ${n}`);

  await page.getByLabel("Rows per page").selectOption("50");
  await expect(page).toHaveURL(/size=50/);
  await expect(page.locator("#range-label")).toHaveText(`1–50 of ${n}`);

  // A deep link renders the same page on the server.
  const url = new URL(page.url());
  await page.goto(`${url.pathname}?page=2&size=50`);
  await expect(page.locator("#range-label")).toHaveText(`51–${Math.min(100, n)} of ${n}`);
});

test("switching realm with the picker shows that realm's identities", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const workforce = new URL(page.url()).pathname;
  await page.getByLabel("Realm").selectOption({ label: "Acme Customers" });
  await expect(page).not.toHaveURL(workforce);
  await expect(page.getByLabel("Realm").locator("option:checked")).toHaveText("Acme Customers");
  // Another test may have emptied this realm; either way the list is this realm's.
  await expect(page.locator("#range-label, #empty-state")).toBeVisible();
  await expect(page.getByRole("cell", { name: "ada.lovelace", exact: true })).toHaveCount(0);
});

test("search finds by exact username and says so when nothing matches", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const search = page.getByLabel("Search by name, username, email or external ID");
  await search.fill("GRACE.HOPPER");
  await search.press("Enter");
  await expect(page).toHaveURL(/q=GRACE.HOPPER/);
  await expect(page.locator("tbody tr")).toHaveCount(1);
  await expect(page.getByRole("cell", { name: "grace.hopper", exact: true })).toBeVisible();

  await search.fill("nobody.here");
  await search.press("Enter");
  await expect(page.locator("#empty-state")).toHaveText("No identity matches “nobody.here”.");
  await page.getByRole("link", { name: "Show all identities" }).click();
  await expect(page.locator("#range-label")).toHaveText(/^1–25 of \d+$/);
});

test("a search sent with Enter, then a link followed at once: the pause after typing does not take the page back", async ({ page }) => {
  // The page's clock is held, so the search-as-you-type pause is still running when the link is followed.
  await page.clock.install();
  await page.goto("/");
  await hydrated(page);
  await page.clock.pauseAt(Date.now() + 60_000);
  const search = page.getByLabel("Search by name, username, email or external ID");
  await search.fill("nobody.here");
  await search.press("Enter");
  await expect(page.locator("#empty-state")).toHaveText("No identity matches “nobody.here”.");
  await page.getByRole("link", { name: "Show all identities" }).click();
  await expect(page.locator("#range-label")).toHaveText(/^1–25 of \d+$/);
  // The pause ends: the operator's later choice (every identity) stands.
  await page.clock.runFor(1000);
  await page.waitForTimeout(500); // (real time) for a navigation the pause might start
  await expect(page).not.toHaveURL(/q=nobody/);
  await expect(page.locator("#range-label")).toHaveText(/^1–25 of \d+$/);
  await expect(search).toHaveValue("");
});

test("BI's curl example against the sandbox creates an identity the console shows", async ({ page, request }) => {
  const token = process.env.SANDBOX_TOKEN;
  expect(token, "the test command sets SANDBOX_TOKEN").toBeTruthy();
  await page.goto("/");
  const realm = new URL(page.url()).pathname.split("/")[2];
  const tenant = (await page.locator("#mode-badge").getAttribute("title"))!.replace(/^.*tenant /, "");

  const resp = await request.post(`/sandbox/v1/tenants/${tenant}/realms/${realm}/identities`, {
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    data: {
      identity: {
        display_name: "Ada Curl",
        traits: { type: "traits_v0", username: "ada.curl", primary_email_address: "ada.curl@example.com", title: "Analyst", primary_phone: "+44 20 7946 0000" },
      },
    },
  });
  expect(resp.status()).toBe(200);
  const created = await resp.json();
  expect(created.traits.username).toBe("ada.curl");

  await page.goto(`/realms/${realm}/identities?q=ada.curl`);
  await expect(page.getByRole("cell", { name: "Ada Curl", exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "ada.curl@example.com", exact: true })).toBeVisible();

  // Its page shows every trait BI holds, not only the form's.
  await page.getByRole("link", { name: "ada.curl", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Ada Curl" })).toBeVisible();
  await expect(page.getByText("Analyst", { exact: true })).toBeVisible();
  await expect(page.getByText("Primary phone", { exact: true })).toBeVisible();
  await expect(page.getByText("+44 20 7946 0000", { exact: true })).toBeVisible();
});

test("the Groups section lists the realm's seeded groups", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("navigation", { name: "Directory" }).getByRole("link", { name: "Groups" }).click();
  await expect(page.getByRole("heading", { name: "Groups" })).toBeVisible();
  expect(await total(page)).toBeGreaterThanOrEqual(6);
  await expect(page.getByRole("cell", { name: "Realm Administrators", exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Customer support, all regions.", exact: true })).toBeVisible();
});

test("an identity's groups link to the group, whose members link back", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "ada.lovelace", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Ada Lovelace" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Groups (1)" })).toBeVisible();
  await page.getByRole("link", { name: "Realm Administrators" }).click();
  await expect(page.getByRole("heading", { name: "Realm Administrators" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Members (3)" })).toBeVisible();
  await expect(page.locator("#range-label")).toHaveText("1–3 of 3");
  await page.getByRole("link", { name: "grace.hopper", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Grace Hopper" })).toBeVisible();

  // And from the Groups list.
  await page.getByRole("navigation", { name: "Directory" }).getByRole("link", { name: "Groups" }).click();
  await page.getByRole("link", { name: "Engineering", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Members (18)" })).toBeVisible();
});
