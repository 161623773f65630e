import { test, expect, Page } from "./fixtures";
import { expectAccessible } from "./axe";

// A helpdesk operator: adds identities, suspends and manages members, but edits and deletes nothing, and cannot
// change a protected group (scripts/test.sh protects "Realm Administrators").
test.use({ storageState: { cookies: [], origins: [] } });

async function signInAsHelpdesk(page: Page) {
  await page.goto("/login");
  await page.getByRole("textbox", { name: "Username" }).fill("helpdesk");
  await page.getByLabel("Password").fill(process.env.E2E_HELPDESK_PASSWORD!);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("#signed-in-as")).toHaveText("helpdesk · helpdesk");
}

test("helpdesk adds and suspends, edits and deletes nothing, and leaves a protected group alone", async ({ page }) => {
  await signInAsHelpdesk(page);
  // Adds an identity of its own.
  const username = `helpdesk.made.${Date.now()}`;
  await page.getByRole("link", { name: "Add identity" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Helpdesk Made");
  await page.getByRole("textbox", { name: "Username", exact: true }).fill(username);
  await page.getByRole("button", { name: "Add identity" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Helpdesk Made" })).toBeVisible();
  // May suspend; may not edit or delete.
  await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete", exact: true })).toHaveCount(0);
  await page.getByRole("button", { name: "Suspend", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Suspend identity" }).click();
  await expect(page.getByRole("button", { name: "Unsuspend", exact: true })).toBeVisible();

  // An ordinary group: members may be managed; the group itself not edited or deleted.
  await page.getByRole("navigation", { name: "Directory" }).getByRole("link", { name: "Groups" }).click();
  await expect(page.getByRole("link", { name: "Create group" })).toHaveCount(0);
  await page.getByRole("link", { name: "Support", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Support" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Add members", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Edit", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete", exact: true })).toHaveCount(0);

  // The protected group says why its members cannot be changed here, and offers no control for it.
  await page.getByRole("navigation", { name: "Directory" }).getByRole("link", { name: "Groups" }).click();
  await page.getByRole("link", { name: "Realm Administrators", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Realm Administrators" })).toBeVisible();
  await expect(page.getByText("Protected group: only an admin may change its members or settings.")).toBeVisible();
  for (const name of ["Add members", "Add by usernames"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  }
  await expect(page.getByRole("button", { name: /^Remove / })).toHaveCount(0);
  await expectAccessible(page);
});

test("helpdesk sees why a member of a protected group has no controls that change it", async ({ page }) => {
  await signInAsHelpdesk(page);
  // margaret.hamilton administers the realm ("Realm Administrators" is protected).
  const search = page.getByRole("searchbox", { name: "Search by name, username, email or external ID" });
  await search.fill("margaret.hamilton");
  await search.press("Enter");
  await page.getByRole("link", { name: "margaret.hamilton", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Margaret Hamilton" })).toBeVisible();
  await expect(page.locator("#protected-note")).toHaveText(
    "This identity is a member of a protected group: only an admin may edit, suspend or delete it, send it invitations or revoke its passkeys.",
  );
  for (const name of ["Suspend", "Unsuspend", "Delete", "Send invitation", "Get enrollment link"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  }
  await expect(page.locator("#passkeys").getByRole("button", { name: /^Revoke/ })).toHaveCount(0);
  await expectAccessible(page);
});
