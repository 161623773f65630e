import { test, expect, Page } from "./fixtures";

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

async function openAddForm(page: Page) {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Add identity" }).click();
  await expect(page.getByRole("heading", { name: "Add identity" })).toBeVisible();
}

test("add an identity through the form and land on its page", async ({ page }) => {
  await openAddForm(page);
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Mary Somerville");
  await page.getByRole("textbox", { name: "Username", exact: true }).fill("mary.somerville");
  await page.getByRole("textbox", { name: "Email", exact: true }).fill("mary@example.com");
  await page.getByText("More fields").click();
  await page.getByRole("textbox", { name: "Given name", exact: true }).fill("Mary");
  await page.getByRole("textbox", { name: "Family name", exact: true }).fill("Somerville");
  await page.getByRole("button", { name: "Add identity" }).click();

  await expect(page).toHaveURL(/\/identities\/[0-9a-f]{16}\?created=1/);
  const report = page.getByRole("status");
  await expect(report).toContainText("Identity created.");
  await expect(report).toContainText("Created mary.somerville.");
  await expect(report).toContainText("Passkey invitation sent to mary@example.com");
  await expect(page.getByRole("heading", { name: "Mary Somerville" })).toBeVisible();
  await expect(page.getByText("mary@example.com", { exact: true })).toBeVisible();
  await expect(page.locator("#identity-status")).toHaveText("Active");
});

test("a duplicate username is reported on the username field and the typed values stay", async ({ page }) => {
  await openAddForm(page);
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Another Ada");
  await page.getByRole("textbox", { name: "Username", exact: true }).fill("ADA.LOVELACE");
  await page.getByRole("textbox", { name: "Email", exact: true }).fill("another.ada@example.com");
  await page.getByRole("button", { name: "Add identity" }).click();
  await expect(page.locator("#field-username-error")).toHaveText("This username is already taken in this realm.");
  await expect(page.getByRole("textbox", { name: "Username", exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("textbox", { name: "Name", exact: true })).toHaveValue("Another Ada");
  await expect(page.getByRole("textbox", { name: "Email", exact: true })).toHaveValue("another.ada@example.com");
  await expect(page).toHaveURL(/\/identities\/new$/);
});

test("forbidden characters and a bad email are refused on their fields", async ({ page }) => {
  await openAddForm(page);
  // Once hydrated, the form checks BI's rules itself: nothing is sent.
  const posts: string[] = [];
  page.on("request", (r) => { if (r.url().includes("/api/create_identity")) posts.push(r.url()); });
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Bad {Name}");
  await page.getByRole("textbox", { name: "Username", exact: true }).fill("bad;user");
  await page.getByRole("textbox", { name: "Email", exact: true }).fill("not-an-email");
  await page.getByRole("button", { name: "Add identity" }).click();
  await expect(page.locator("#field-display_name-error")).toHaveText("Name must not contain { }.");
  await expect(page.locator("#field-username-error")).toHaveText("Username must not contain ;.");
  await expect(page.locator("#field-email-error")).toHaveText("Enter an email address like name@example.com.");
  await expect(page.getByRole("textbox", { name: "Username", exact: true })).toHaveValue("bad;user");
  expect(posts).toEqual([]);

  // Nothing was written.
  await page.goto("/");
  await hydrated(page);
  await page.getByLabel("Search by name, username, email or external ID").fill("bad;user");
  await page.getByLabel("Search by name, username, email or external ID").press("Enter");
  await expect(page.locator("#empty-state")).toHaveText("No identity matches “bad;user”.");
});

test("suspend and unsuspend an identity from its page", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "alan.turing", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Alan Turing" })).toBeVisible();
  await expect(page.locator("#identity-status")).toHaveText("Active");

  await page.getByRole("button", { name: "Suspend", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Suspend alan.turing (Alan Turing)");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.locator("#identity-status")).toHaveText("Active");

  await page.getByRole("button", { name: "Suspend", exact: true }).click();
  await dialog.getByRole("button", { name: "Suspend identity" }).click();
  await expect(page.locator("#identity-status")).toHaveText("Suspended");
  await expect(dialog).toBeHidden();

  await page.getByRole("button", { name: "Unsuspend", exact: true }).click();
  await dialog.getByRole("button", { name: "Unsuspend identity" }).click();
  await expect(page.locator("#identity-status")).toHaveText("Active");

  // The list agrees after a reload.
  await page.goto(page.url().replace(/\/identities\/.*/, "/identities?q=alan.turing"));
  await expect(page.getByRole("cell", { name: "Active", exact: true })).toBeVisible();
});

test("delete an identity after a confirmation that names it", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByLabel("Search by name, username, email or external ID").fill("ken.thompson");
  await page.getByLabel("Search by name, username, email or external ID").press("Enter");
  await page.getByRole("link", { name: "ken.thompson", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Ken Thompson" })).toBeVisible();
  await expect(page.locator("#identity-groups")).toContainText("Engineering");

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Delete ken.thompson (Ken Thompson). This cannot be undone.");
  await dialog.getByRole("button", { name: "Delete identity" }).click();

  await expect(page).toHaveURL(/\/identities\?deleted=ken.thompson/);
  await expect(page.getByRole("status")).toHaveText("Deleted ken.thompson.");
  await page.getByLabel("Search by name, username, email or external ID").fill("ken.thompson");
  await page.getByLabel("Search by name, username, email or external ID").press("Enter");
  await expect(page.locator("#empty-state")).toHaveText("No identity matches “ken.thompson”.");
});

test("edit an identity: the form is prefilled and the change shows on its page", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "barbara.liskov", exact: true }).click();
  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Edit identity" })).toBeVisible();
  const name = page.getByRole("textbox", { name: "Name", exact: true });
  await expect(name).toHaveValue("Barbara Liskov");
  await expect(page.getByRole("textbox", { name: "Email", exact: true })).toHaveValue("barbara.liskov@acme.example");

  // A bad value first: refused on its field, typed values kept.
  await page.getByRole("textbox", { name: "Username", exact: true }).fill("barbara!");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.locator("#field-username-error")).toHaveText("Username must not contain !.");
  await expect(page.getByRole("textbox", { name: "Username", exact: true })).toHaveValue("barbara!");

  await page.getByRole("textbox", { name: "Username", exact: true }).fill("barbara.liskov");
  await name.fill("Barbara Jane Liskov");
  await page.getByRole("textbox", { name: "Email", exact: true }).fill("liskov@mit.example");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page).toHaveURL(/\/identities\/[0-9a-f]{16}\?updated=1/);
  await expect(page.getByRole("status")).toHaveText("Changes saved.");
  await expect(page.getByRole("heading", { name: "Barbara Jane Liskov" })).toBeVisible();
  await expect(page.getByText("liskov@mit.example", { exact: true })).toBeVisible();
});

test("bulk delete several rows after a confirmation that counts and names them", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByLabel("Rows per page").selectOption("200");
  await expect(page).toHaveURL(/size=200/);
  for (const u of ["claude.shannon", "annie.easley", "vint.cerf"]) {
    await page.getByRole("checkbox", { name: `Select ${u}` }).check();
  }
  await expect(page.locator("#selected-count")).toHaveText("3 selected");
  await page.getByRole("button", { name: "Delete selected", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Delete 3 identities: claude.shannon, annie.easley, vint.cerf. This cannot be undone.");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Delete 3" }).click();

  await expect(page.locator("#bulk-result")).toContainText("Deleted 3 identities.");
  await expect(page.getByRole("link", { name: "claude.shannon", exact: true })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "vint.cerf", exact: true })).toHaveCount(0);
  await expect(page.locator("#selected-count")).toHaveCount(0);
});

test("bulk suspend and unsuspend selected rows", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("checkbox", { name: "Select donald.knuth" }).check();
  await page.getByRole("checkbox", { name: "Select margaret.hamilton" }).check();
  await page.getByRole("button", { name: "Suspend selected", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Suspend 2", exact: true }).click();
  await expect(page.locator("#bulk-result")).toContainText("Suspended 2 identities.");
  await expect(page.getByRole("row", { name: /donald\.knuth/ })).toContainText("Suspended");
  await expect(page.getByRole("row", { name: /margaret\.hamilton/ })).toContainText("Suspended");

  await page.getByRole("checkbox", { name: "Select donald.knuth" }).check();
  await page.getByRole("button", { name: "Unsuspend selected", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Unsuspend 1", exact: true }).click();
  await expect(page.locator("#bulk-result")).toContainText("Unsuspended 1 identity.");
  await expect(page.getByRole("row", { name: /donald\.knuth/ })).toContainText("Active");

  // Select all on the page selects every row shown.
  await page.getByRole("checkbox", { name: "Select all on this page" }).check();
  await expect(page.locator("#selected-count")).toHaveText("25 selected");
  await expect(page.getByRole("checkbox", { name: "Select margaret.hamilton" })).toBeChecked();
  await page.getByRole("button", { name: "Clear selection" }).click();
  await expect(page.locator("#selected-count")).toHaveCount(0);
  await expect(page.getByRole("checkbox", { name: "Select margaret.hamilton" })).not.toBeChecked();
  await expect(page.getByRole("checkbox", { name: "Select all on this page" })).not.toBeChecked();
});

test("a name with quotes and an ampersand is listed as typed, and its row can be selected", async ({ page }) => {
  await openAddForm(page);
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(`Flann "Two Names" O'Brien & Co`);
  await page.getByRole("textbox", { name: "Username", exact: true }).fill("o'brien&co");
  await page.getByRole("textbox", { name: "Email", exact: true }).fill("flann@example.com");
  await page.getByRole("button", { name: "Add identity" }).click();
  await expect(page).toHaveURL(/\/identities\/[0-9a-f]{16}\?created=1/);

  await page.goto("/");
  await hydrated(page);
  await page.getByRole("searchbox", { name: /^Search by name/ }).fill("o'brien");
  const row = page.getByRole("row", { name: /o'brien&co/ });
  await expect(row.getByRole("cell", { name: `Flann "Two Names" O'Brien & Co`, exact: true })).toBeVisible();
  await row.getByRole("checkbox", { name: "Select o'brien&co", exact: true }).check();
  await expect(page.locator("#selected-count")).toHaveText("1 selected");
  await row.getByRole("link", { name: "o'brien&co", exact: true }).click();
  await expect(page.getByRole("heading", { name: `Flann "Two Names" O'Brien & Co` })).toBeVisible();
});

test("an emptied realm says so and offers to add the first identity", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByLabel("Realm").selectOption({ label: "Acme Customers" });
  // The realm's identities fit one page (8 seeded, and whatever other tests added).
  await expect(page.locator("#range-label")).toHaveText(/^1–(\d+) of \1$/);
  const n = Number(((await page.locator("#range-label").textContent()) ?? "").split(" of ")[1]);
  await page.getByRole("checkbox", { name: "Select all on this page" }).check();
  await page.getByRole("button", { name: "Delete selected", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: `Delete ${n}`, exact: true }).click();
  await expect(page.locator("#empty-state")).toHaveText("This realm has no identities yet.");
  await page.getByRole("link", { name: "Add the first identity" }).click();
  await expect(page.getByRole("heading", { name: "Add identity" })).toBeVisible();
});

test("a confirmation opened while another change is on its way stays open when the identity is read again", async ({ page }) => {
  await openAddForm(page);
  const username = `dialog.${Date.now()}`;
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Dialog Keeper");
  await page.getByRole("textbox", { name: "Username", exact: true }).fill(username);
  await page.getByRole("button", { name: "Add identity" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dialog Keeper" })).toBeVisible();
  await hydrated(page);
  // The suspend is held on its way until the Delete dialog is open.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/set_identity_status*", async (route) => {
    await held;
    await route.continue();
  });
  await page.getByRole("button", { name: "Suspend", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Suspend identity" }).click();
  await expect(page.getByRole("dialog").getByRole("button", { name: "Working…" })).toBeVisible();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`Delete ${username} (Dialog Keeper). This cannot be undone.`);
  release();
  // The suspend lands and the identity is read again: the dialog the operator opened is still there.
  await expect(page.getByRole("button", { name: "Unsuspend", exact: true })).toBeVisible();
  await expect(page.locator("#identity-status")).toHaveText("Suspended");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Delete identity" })).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
});
