import { test, expect, Page, Browser } from "./fixtures";

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

/// The default realm's id, read from where the console sends a signed-in admin.
async function defaultRealm(browser: Browser): Promise<string> {
  const ctx = await browser.newContext({ storageState: "playwright/.auth/admin.json" });
  const page = await ctx.newPage();
  await page.goto("/");
  const realm = new URL(page.url()).pathname.split("/")[2];
  await ctx.close();
  return realm;
}

async function signIn(page: Page, username: string, password: string) {
  await page.getByRole("textbox", { name: "Username" }).fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("sign in, land on the page asked for, sign out", async ({ page, browser }) => {
    const realm = await defaultRealm(browser);
    const wanted = `/realms/${realm}/groups?size=50`;
    await page.goto(wanted);
    await expect(page).toHaveURL(/\/login\?next=/);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await signIn(page, "admin", process.env.E2E_ADMIN_PASSWORD!);

    await expect(page).toHaveURL(wanted);
    await expect(page.getByRole("heading", { name: "Groups" })).toBeVisible();
    await expect(page.locator("#signed-in-as")).toHaveText("admin · admin");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login\?signed_out=1/);
    await expect(page.getByRole("status")).toHaveText("You are signed out.");
    await page.goto(wanted);
    await expect(page).toHaveURL(/\/login\?next=/);
  });

  test("a wrong password says only that sign-in failed", async ({ page }) => {
    await page.goto("/login");
    await signIn(page, "admin", "not-the-password");
    await expect(page.getByRole("alert")).toHaveText(
      "Sign-in failed. Check the username and password, then try again.",
    );
    await expect(page.getByRole("textbox", { name: "Username" })).toHaveValue("admin");
    await expect(page.getByLabel("Password")).toHaveValue("");
    // An unknown username reads exactly the same.
    await signIn(page, "no-such-operator", "not-the-password");
    await expect(page.getByRole("alert")).toHaveText(
      "Sign-in failed. Check the username and password, then try again.",
    );
  });

  test("a viewer sees no write controls", async ({ page }) => {
    await page.goto("/");
    await signIn(page, "viewer", process.env.E2E_VIEWER_PASSWORD!);
    await hydrated(page);
    await expect(page.locator("#signed-in-as")).toHaveText("viewer · viewer");
    await expect(page.getByRole("heading", { name: "Identities" })).toBeVisible();
    await expect(page.locator("tbody tr").first()).toBeVisible();
    await expect(page.getByRole("link", { name: "Add identity" })).toHaveCount(0);
    await expect(page.getByRole("checkbox")).toHaveCount(0);

    await page.getByRole("link", { name: "ada.lovelace" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Ada Lovelace" })).toBeVisible();
    for (const name of ["Suspend", "Unsuspend", "Delete", "Add to groups"]) {
      await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
    }
    await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Remove from/ })).toHaveCount(0);

    await page.getByRole("navigation", { name: "Directory" }).getByRole("link", { name: "Groups" }).click();
    await expect(page.getByRole("heading", { name: "Groups" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Create group" })).toHaveCount(0);
    await page.getByRole("link", { name: "Engineering", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Engineering" })).toBeVisible();
    for (const name of ["Delete", "Add members", "Add by usernames"]) {
      await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
    }
    await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Remove / })).toHaveCount(0);
    await expect(page.getByRole("checkbox")).toHaveCount(0);
    // Reading the audit log is allowed.
    await page.getByRole("link", { name: "Audit", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Audit" })).toBeVisible();
  });
});

test("audit entries appear after an add, an edit and a membership change", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Add identity" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Audit Person");
  await page.getByRole("textbox", { name: "Username", exact: true }).fill("audit.person");
  await page.getByRole("button", { name: "Add identity" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit Person" })).toBeVisible();

  await page.getByRole("link", { name: "Edit", exact: true }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Audited Person");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audited Person" })).toBeVisible();

  await page.getByRole("button", { name: "Add to groups" }).click();
  const chooser = page.getByRole("dialog", { name: "Add audit.person to groups" });
  await chooser.getByText("Sales", { exact: true }).click();
  await chooser.getByRole("button", { name: "Add to 1 group" }).click();
  await expect(page.getByRole("heading", { name: "Groups (1)" })).toBeVisible();

  // The identity's Activity shows all three, newest first.
  const activity = page.locator("#activity li");
  await expect(activity).toHaveCount(3);
  await expect(activity.nth(0)).toContainText("group.members.add");
  await expect(activity.nth(0)).toContainText("Sales");
  await expect(activity.nth(1)).toContainText("identity.update");
  await expect(activity.nth(1)).toContainText("“Audit Person” → “Audited Person”");
  await expect(activity.nth(2)).toContainText("identity.create");

  // The Audit page lists them, filterable.
  await page.getByRole("link", { name: "Audit", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Audit" })).toBeVisible();
  await page.getByLabel("Target").fill("audit.person");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/target=audit\.person/);
  const rows = page.locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("identity.update");
  await expect(rows.nth(1)).toContainText("identity.create");
  await expect(rows.nth(1)).toContainText("admin");
  await expect(rows.nth(1)).toContainText("ok");
  await page.getByLabel("Target").fill("");
  await page.getByLabel("Action").selectOption("group.members.add");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.locator("tbody tr").first()).toContainText("Sales");
});
