import { test, expect, Page } from "./fixtures";

// One group, "Platform Team", is created by the first test and used by the three after it: those run as one
// serial block. The file depends on no other spec's data.
test.describe.configure({ mode: "serial" });
const GROUP = "Platform Team";

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

async function openGroup(page: Page, name: string) {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("navigation").getByRole("link", { name: "Groups" }).click();
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

test("create a group, then add two members by clicking in the picker", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("navigation").getByRole("link", { name: "Groups" }).click();
  await page.getByRole("link", { name: "Create group" }).first().click();
  await expect(page.getByRole("heading", { name: "Create group" })).toBeVisible();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(GROUP);
  await page.getByRole("textbox", { name: "Description", exact: true }).fill("Runs the platform.");
  await page.getByRole("button", { name: "Create group" }).click();

  await expect(page).toHaveURL(/\/groups\/[0-9a-f]{16}\?created=1/);
  await expect(page.getByRole("status")).toHaveText("Group created.");
  await expect(page.getByRole("heading", { level: 1, name: GROUP })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Members (0)" })).toBeVisible();

  await page.getByRole("button", { name: "Add members" }).click();
  const picker = page.getByRole("dialog", { name: `Add members to ${GROUP}` });
  await expect(picker).toBeVisible();
  // Click a row of the first page.
  await picker.getByText("Ada Lovelace").click();
  await expect(picker.getByRole("list", { name: "Selected identities" })).toContainText("ada.lovelace");
  // The selection survives a page change and a search.
  await picker.getByRole("button", { name: "Next" }).click();
  await expect(picker.getByText("11–20 of")).toBeVisible();
  await picker.getByRole("searchbox", { name: "Search identities" }).fill("leslie.lamport");
  await picker.getByRole("button", { name: "Search" }).click();
  await expect(picker.getByText("1–1 of 1")).toBeVisible();
  await picker.getByText("Leslie Lamport").click();
  const chips = picker.getByRole("list", { name: "Selected identities" });
  await expect(chips).toContainText("ada.lovelace");
  await expect(chips).toContainText("leslie.lamport");
  await picker.getByRole("button", { name: "Add 2 identities" }).click();

  await expect(picker).toBeHidden();
  await expect(page.locator("#membership-result")).toContainText("Added 2 identities.");
  await expect(page.getByRole("heading", { name: "Members (2)" })).toBeVisible();
  await expect(page.getByRole("link", { name: "ada.lovelace" })).toBeVisible();
  await expect(page.getByRole("link", { name: "leslie.lamport" })).toBeVisible();

  // Existing members are marked in the picker and cannot be picked.
  await page.getByRole("button", { name: "Add members" }).click();
  await picker.getByRole("searchbox", { name: "Search identities" }).fill("ada.lovelace");
  await picker.getByRole("button", { name: "Search" }).click();
  await expect(picker.getByText("1–1 of 1")).toBeVisible();
  await expect(picker.getByText("Member", { exact: true })).toBeVisible();
  await expect(picker.getByRole("checkbox", { name: "Select ada.lovelace" })).toBeDisabled();
  await expect(picker.getByRole("button", { name: "Add 0 identities" })).toBeDisabled();
  await page.keyboard.press("Escape");
  await expect(picker).toBeHidden();
});

test("add members by pasted usernames; the unknown one is listed back", async ({ page }) => {
  await openGroup(page, GROUP);
  await page.getByRole("button", { name: "Add by usernames" }).click();
  const dialog = page.getByRole("dialog", { name: `Add members to ${GROUP} by username` });
  const box = dialog.getByRole("textbox", { name: "Usernames" });
  // Nothing pasted: said on the field, nothing sent.
  await dialog.getByRole("button", { name: "Add members" }).click();
  await expect(dialog.locator("#field-usernames-error")).toHaveText(
    "Paste at least one username, one per line or separated by commas.",
  );
  await box.fill("guido.vanrossum\nbjarne.stroustrup, no.such.person\nada.lovelace");
  await dialog.getByRole("button", { name: "Add members" }).click();

  await expect(dialog).toBeHidden();
  const result = page.locator("#membership-result");
  await expect(result).toContainText("Added 2 identities.");
  await expect(result).toContainText("Already members, left as they were: ada.lovelace.");
  await expect(result).toContainText("No identity with these usernames, not added: no.such.person.");
  await expect(page.getByRole("heading", { name: "Members (4)" })).toBeVisible();
  await expect(page.getByRole("link", { name: "guido.vanrossum" })).toBeVisible();
  await expect(page.getByRole("link", { name: "bjarne.stroustrup" })).toBeVisible();
});

test("remove one member, then two selected at once", async ({ page }) => {
  await openGroup(page, GROUP);
  await expect(page.getByRole("heading", { name: "Members (4)" })).toBeVisible();
  await page.getByRole("button", { name: "Remove guido.vanrossum" }).click();
  const confirm = page.getByRole("dialog", { name: "Remove member?" });
  await expect(confirm).toContainText(`Remove from ${GROUP}: guido.vanrossum.`);
  await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
  await confirm.getByRole("button", { name: "Remove member" }).click();
  await expect(page.getByRole("heading", { name: "Members (3)" })).toBeVisible();
  await expect(page.getByRole("link", { name: "guido.vanrossum" })).toHaveCount(0);
  await expect(page.locator("#membership-result")).toContainText("Removed 1 identity.");

  await page.getByRole("checkbox", { name: "Select bjarne.stroustrup" }).check();
  await page.getByRole("checkbox", { name: "Select leslie.lamport" }).check();
  await page.getByRole("button", { name: "Remove selected" }).click();
  const bulk = page.getByRole("dialog", { name: "Remove 2 members?" });
  await expect(bulk).toContainText("bjarne.stroustrup, leslie.lamport");
  await bulk.getByRole("button", { name: "Remove 2 members" }).click();
  await expect(page.getByRole("heading", { name: "Members (1)" })).toBeVisible();
  await expect(page.getByRole("link", { name: "ada.lovelace" })).toBeVisible();
});

test("add an identity to a group from its own page, see it on the group, and remove it again", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const search = page.getByRole("searchbox", { name: "Search by name, username, email or external ID" });
  await search.fill("sophie.wilson");
  await search.press("Enter");
  await page.getByRole("link", { name: "sophie.wilson" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sophie Wilson" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Groups (0)" })).toBeVisible();

  await page.getByRole("button", { name: "Add to groups" }).click();
  const chooser = page.getByRole("dialog", { name: "Add sophie.wilson to groups" });
  await chooser.getByRole("searchbox", { name: "Search groups" }).fill("platform");
  await expect(chooser.getByText("Engineering")).toBeHidden();
  await chooser.getByText(GROUP, { exact: true }).click();
  await chooser.getByRole("searchbox", { name: "Search groups" }).fill("");
  await chooser.getByText("Finance", { exact: true }).click();
  await chooser.getByRole("button", { name: "Add to 2 groups" }).click();
  await expect(chooser).toBeHidden();
  await expect(page.locator("#groups-result")).toContainText("Added to 2 groups.");
  await expect(page.getByRole("heading", { name: "Groups (2)" })).toBeVisible();

  // The group's page shows the new member.
  await page.locator("#identity-groups").getByRole("link", { name: GROUP }).click();
  await expect(page.getByRole("heading", { level: 1, name: GROUP })).toBeVisible();
  await expect(page.getByRole("link", { name: "sophie.wilson" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Members (2)" })).toBeVisible();

  // Back on her page, leave Finance.
  await page.getByRole("link", { name: "sophie.wilson" }).click();
  await page.getByRole("button", { name: "Remove from Finance" }).click();
  const confirm = page.getByRole("dialog", { name: "Remove from group?" });
  await expect(confirm).toContainText("Remove sophie.wilson from Finance.");
  await confirm.getByRole("button", { name: "Remove from group" }).click();
  await expect(page.getByRole("heading", { name: "Groups (1)" })).toBeVisible();
  await expect(page.locator("#identity-groups").getByRole("link", { name: "Finance" })).toHaveCount(0);
});

test("group form: BI's rules on their fields, then an edit", async ({ page }) => {
  await openGroup(page, GROUP);
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByRole("heading", { name: "Edit group" })).toBeVisible();
  const name = page.getByRole("textbox", { name: "Name", exact: true });
  const description = page.getByRole("textbox", { name: "Description", exact: true });
  await expect(name).toHaveValue(GROUP);
  await name.fill("Platform <Team>");
  await description.fill("x".repeat(301));
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.locator("#field-display_name-error")).toHaveText("Name must not contain < >.");
  await expect(page.locator("#field-description-error")).toHaveText(
    "Description must be at most 300 characters (this one has 301).",
  );
  await expect(name).toHaveValue("Platform <Team>");

  await name.fill(GROUP);
  await description.fill("Runs the platform and its tools.");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toHaveText("Changes saved.");
  await expect(page.getByText("Runs the platform and its tools.", { exact: true })).toBeVisible();
});

test("delete a group that has members through the offered path", async ({ page }) => {
  await openGroup(page, GROUP);
  await expect(page.getByRole("heading", { name: "Members (2)" })).toBeVisible();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const first = page.getByRole("dialog", { name: "Delete group?" });
  await first.getByRole("button", { name: "Delete group" }).click();

  const refusal = page.locator("#delete-refused");
  await expect(refusal).toContainText(`${GROUP} still has 2 members, and BI deletes only empty groups.`);
  await refusal.getByRole("button", { name: "Remove all 2 members and delete" }).click();
  const confirm = page.getByRole("dialog", { name: "Remove all 2 members and delete?" });
  await expect(confirm).toContainText("ada.lovelace, sophie.wilson");
  await confirm.getByRole("button", { name: "Remove 2 members and delete" }).click();

  await expect(page).toHaveURL(/\/groups\?deleted=/);
  await expect(page.getByRole("status")).toHaveText(`Removed 2 members and deleted ${GROUP}.`);
  await expect(page.getByRole("link", { name: GROUP, exact: true })).toHaveCount(0);
  // The members' identities stay.
  await page.goto("/");
  await hydrated(page);
  const search = page.getByRole("searchbox", { name: "Search by name, username, email or external ID" });
  await search.fill("sophie.wilson");
  await search.press("Enter");
  await expect(page.getByRole("link", { name: "sophie.wilson" })).toBeVisible();
});

test("an empty group is deleted at once", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("navigation").getByRole("link", { name: "Groups" }).click();
  await page.getByRole("link", { name: "Create group" }).first().click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Short-lived");
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Short-lived" })).toBeVisible();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("dialog", { name: "Delete group?" }).getByRole("button", { name: "Delete group" }).click();
  await expect(page.getByRole("status")).toHaveText("Deleted Short-lived.");
  await expect(page.getByRole("link", { name: "Short-lived", exact: true })).toHaveCount(0);
});
