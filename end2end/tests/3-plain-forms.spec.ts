import { test, expect } from "./fixtures";

// The same flows before the wasm has loaded: JavaScript off, plain HTML forms and links only.
test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("add identity works as a plain form; an error keeps what was typed", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Identities" })).toBeVisible();
    await page.getByRole("link", { name: "Add identity" }).click();
    await expect(page.getByRole("heading", { name: "Add identity" })).toBeVisible();

    await page.getByRole("textbox", { name: "Name", exact: true }).fill("Plain Form");
    await page.getByRole("textbox", { name: "Username", exact: true }).fill("grace.hopper");
    await page.getByRole("textbox", { name: "Email", exact: true }).fill("plain@example.com");
    await page.getByRole("textbox", { name: "Groups" }).fill("Support");
    await page.getByRole("checkbox", { name: "Send passkey invitation by email" }).uncheck();
    await page.getByRole("button", { name: "Add identity" }).click();

    await expect(page.locator("#field-username-error")).toHaveText("This username is already taken in this realm.");
    await expect(page.getByRole("textbox", { name: "Groups" })).toHaveValue("Support");
    await expect(page.getByRole("checkbox", { name: "Send passkey invitation by email" })).not.toBeChecked();
    await expect(page.getByRole("textbox", { name: "Name", exact: true })).toHaveValue("Plain Form");
    await expect(page.getByRole("textbox", { name: "Username", exact: true })).toHaveValue("grace.hopper");
    await expect(page.getByRole("textbox", { name: "Email", exact: true })).toHaveValue("plain@example.com");

    await page.getByRole("textbox", { name: "Username", exact: true }).fill("plain.form");
    await page.getByRole("button", { name: "Add identity" }).click();
    await expect(page).toHaveURL(/\/identities\/[0-9a-f]{16}\?created=1/);
    const report = page.getByRole("status");
    await expect(report).toContainText("Identity created.");
    await expect(report).toContainText("Joined 1 group: Support.");
    await expect(report).not.toContainText("invitation");
    await expect(page.getByRole("heading", { name: "Plain Form" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Groups (1)" })).toBeVisible();
  });

  test("create group works as a plain form; an error keeps what was typed", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("navigation").getByRole("link", { name: "Groups" }).click();
    await page.getByRole("link", { name: "Create group" }).first().click();
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("Plain; Group");
    await page.getByRole("textbox", { name: "Description", exact: true }).fill("Made without JavaScript.");
    await page.getByRole("button", { name: "Create group" }).click();

    await expect(page.locator("#field-display_name-error")).toHaveText("Name must not contain ;.");
    await expect(page.getByRole("textbox", { name: "Name", exact: true })).toHaveValue("Plain; Group");
    await expect(page.getByRole("textbox", { name: "Description", exact: true })).toHaveValue("Made without JavaScript.");

    await page.getByRole("textbox", { name: "Name", exact: true }).fill("Plain Group");
    await page.getByRole("button", { name: "Create group" }).click();
    await expect(page).toHaveURL(/\/groups\/[0-9a-f]{16}\?created=1/);
    await expect(page.getByRole("status")).toHaveText("Group created.");
    await expect(page.getByRole("heading", { level: 1, name: "Plain Group" })).toBeVisible();
  });

  test("edit group works as a plain form; an error keeps what was typed", async ({ page }) => {
    // Its own group, made without JavaScript too.
    const group = `Plain Edit Group ${Date.now()}`;
    await page.goto("/");
    await page.getByRole("navigation").getByRole("link", { name: "Groups" }).click();
    await page.getByRole("link", { name: "Create group" }).first().click();
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(group);
    await page.getByRole("button", { name: "Create group" }).click();
    await expect(page.getByRole("heading", { level: 1, name: group })).toBeVisible();
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    const name = page.getByRole("textbox", { name: "Name", exact: true });
    await expect(name).toHaveValue(group);
    await name.fill("Plain <Group>");
    await page.getByRole("textbox", { name: "Description", exact: true }).fill("Edited without JavaScript.");
    await page.getByRole("button", { name: "Save changes" }).click();

    await expect(page.locator("#field-display_name-error")).toHaveText("Name must not contain < >.");
    await expect(name).toHaveValue("Plain <Group>");
    await expect(page.getByRole("textbox", { name: "Description", exact: true })).toHaveValue("Edited without JavaScript.");

    await name.fill(`${group} Renamed`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("status")).toHaveText("Changes saved.");
    await expect(page.getByRole("heading", { level: 1, name: `${group} Renamed` })).toBeVisible();
  });

  test("edit identity works as a plain form; an error keeps what was typed and shows once", async ({ page }) => {
    // Its own identity, made without JavaScript too.
    const username = `plain.edit.${Date.now()}`;
    await page.goto("/");
    await page.getByRole("link", { name: "Add identity" }).click();
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("Plain Edit");
    await page.getByRole("textbox", { name: "Username", exact: true }).fill(username);
    await page.getByRole("button", { name: "Add identity" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Plain Edit" })).toBeVisible();

    await page.getByRole("link", { name: "Edit", exact: true }).click();
    const name = page.getByRole("textbox", { name: "Name", exact: true });
    await expect(name).toHaveValue("Plain Edit");
    await name.fill("Plain <Edit>");
    await page.getByRole("textbox", { name: "Email", exact: true }).fill("plain.edit@example.com");
    await page.getByRole("button", { name: "Save changes" }).click();

    await expect(page.locator("#field-display_name-error")).toHaveText("Name must not contain < >.");
    await expect(name).toHaveValue("Plain <Edit>");
    await expect(page.getByRole("textbox", { name: "Email", exact: true })).toHaveValue("plain.edit@example.com");
    // Nothing typed and no message travels in the address.
    expect(page.url()).not.toContain("?");
    // Shown once: opening the form again starts from BI's values.
    await page.reload();
    await expect(page.locator("#field-display_name-error")).toHaveText("");
    await expect(name).toHaveValue("Plain Edit");

    await name.fill("Plain Edit Renamed");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("status")).toHaveText("Changes saved.");
    await expect(page.getByRole("heading", { level: 1, name: "Plain Edit Renamed" })).toBeVisible();
  });

  test("search and paging work as plain links and forms", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("link", { name: "Next" }).click();
    await expect(page).toHaveURL(/page=2/);
    await page.getByLabel("Search by name, username, email or external ID").fill("grace.hopper");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByRole("link", { name: "grace.hopper", exact: true })).toBeVisible();
  });
});
