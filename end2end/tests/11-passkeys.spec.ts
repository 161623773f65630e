import { test, expect, Page } from "./fixtures";
import { expectAccessible } from "./axe";

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

async function signInAs(page: Page, who: "helpdesk" | "viewer") {
  await page.goto("/login");
  await page.getByRole("textbox", { name: "Username" }).fill(who);
  const password = who === "helpdesk" ? process.env.E2E_HELPDESK_PASSWORD! : process.env.E2E_VIEWER_PASSWORD!;
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await hydrated(page);
}

async function openIdentity(page: Page, username: string) {
  const search = page.getByRole("searchbox", { name: "Search by name, username, email or external ID" });
  await search.fill(username);
  await search.press("Enter");
  await page.getByRole("link", { name: username, exact: true }).click();
  await expect(page.getByRole("heading", { name: /^Passkeys \(\d+\)$/ })).toBeVisible();
  await hydrated(page);
}

test("add an identity with two groups and an invitation, enroll through the link in the outbox, see the passkey, revoke it", async ({ page }) => {
  const username = `passkey.${Date.now()}`;
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Add identity" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Pat Passkey");
  await page.getByRole("textbox", { name: "Username", exact: true }).fill(username);
  await page.getByRole("textbox", { name: "Email", exact: true }).fill(`${username}@acme.example`);
  // Groups: typed one per line; a match is picked with a click.
  const groups = page.getByRole("textbox", { name: "Groups" });
  await groups.fill("engin");
  const matching = page.getByRole("list", { name: "Matching groups" });
  await matching.getByRole("button", { name: "Add group Engineering" }).click();
  await expect(groups).toHaveValue("Engineering\n");
  await groups.pressSequentially("sal");
  await matching.getByRole("button", { name: "Add group Sales" }).click();
  await expect(groups).toHaveValue("Engineering\nSales\n");
  await expect(page.getByRole("checkbox", { name: "Send passkey invitation by email" })).toBeChecked();
  await expect(page.getByText("Authenticator: Hosted Web passkeys")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Add identity" }).click();

  // The new identity's page says what happened to each part.
  await expect(page.getByRole("heading", { level: 1, name: "Pat Passkey" })).toBeVisible();
  const report = page.locator("#created-report");
  await expect(report).toContainText(`Created ${username}.`);
  await expect(report).toContainText("Joined 2 groups: Engineering, Sales.");
  await expect(report).toContainText(`Passkey invitation sent to ${username}@acme.example`);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Groups (2)" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Passkeys (0)" })).toBeVisible();
  await expect(page.locator("#no-passkeys")).toHaveText(`${username} has no passkey yet.`);
  await expect(page.getByRole("heading", { name: "Enrollment history (1)" })).toBeVisible();
  await expect(page.locator("#passkeys")).toContainText("Link sent");
  await expect(page.locator("dl")).toContainText("Invitation pending");
  await expectAccessible(page);

  // The sandbox's outbox has the email; its link stands in for BI's authenticator.
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Sandbox outbox" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Outbox" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: `Open the enrollment link for ${username}@acme.example` }).click();
  await expect(page.getByRole("heading", { name: `Simulated enrollment for ${username}` })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Complete enrollment" }).click();
  await expect(page.getByRole("status")).toHaveText("Passkey created. This invitation is complete.");

  await page.goto("/");
  await hydrated(page);
  await openIdentity(page, username);
  await expect(page.getByRole("heading", { name: "Passkeys (1)" })).toBeVisible();
  await expect(page.locator("dl")).toContainText("Enrolled");
  await expect(page.locator("#passkeys")).toContainText("Complete");
  const passkeyId = (await page.locator("#passkeys tbody tr").first().locator("td").first().textContent())!.trim();
  await page.getByRole("button", { name: `Revoke passkey ${passkeyId}` }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke passkey?" });
  await expect(dialog).toContainText(`Revoke passkey ${passkeyId} of ${username}.`);
  await dialog.getByRole("button", { name: "Revoke passkey" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator("#passkeys tbody tr").first()).toContainText("Revoked");
  await expect(page.locator("dl")).toContainText("Not enrolled");

  // An enrollment link for someone helped in person: shown once, with a copy button; then revoked.
  await page.getByRole("button", { name: "Get enrollment link" }).click();
  await expect(page.locator("#enrollment-link")).toContainText("shown once");
  await expect(page.getByRole("textbox", { name: "Enrollment link" })).toHaveValue(/:invokeAuthenticator\?token=/);
  await expect(page.getByRole("button", { name: "Copy link" })).toBeEnabled();
  await expect(page.locator("dl")).toContainText("Invitation pending");
  await page.locator("#passkeys").getByRole("button", { name: /^Revoke invitation / }).click();
  await page.getByRole("dialog", { name: "Revoke invitation?" }).getByRole("button", { name: "Revoke invitation" }).click();
  await expect(page.locator("#passkeys")).toContainText("Revoked");
  await expect(page.locator("dl")).toContainText("Not enrolled");

  // The audit log has each step.
  await page.getByRole("link", { name: "Full audit log" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit" })).toBeVisible();
  for (const action of ["passkey.invite", "passkey.revoke", "passkey.link", "passkey.invite.revoke"]) {
    await expect(page.locator("tbody")).toContainText(action);
  }
});

test.describe("other operators", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a helpdesk operator revokes the passkey of a lost laptop", async ({ page }) => {
    await signInAs(page, "helpdesk");
    await openIdentity(page, "alan.turing");
    await expect(page.locator("dl")).toContainText("Enrolled");
    await expect(page.getByRole("button", { name: "Send invitation" })).toBeVisible();
    const revoke = page.locator("#passkeys").getByRole("button", { name: /^Revoke passkey / }).first();
    await revoke.click();
    await page.getByRole("dialog", { name: "Revoke passkey?" }).getByRole("button", { name: "Revoke passkey" }).click();
    await expect(page.locator("dl")).toContainText("Not enrolled");
  });

  test("a viewer sees passkeys and invitations but no control that changes them", async ({ page }) => {
    await signInAs(page, "viewer");
    await openIdentity(page, "grace.hopper");
    await expect(page.getByRole("heading", { name: "Passkeys (1)" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Send invitation" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Get enrollment link" })).toHaveCount(0);
    await expect(page.locator("#passkeys").getByRole("button", { name: /^Revoke/ })).toHaveCount(0);
    await expectAccessible(page);
  });
});

test("send passkey invitations to a selection: BI's batch is followed to a summary that names who was skipped", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const bar = page.getByRole("region", { name: "Bulk actions" });
  for (const username of ["edsger.dijkstra", "jose.nunez", "hiroshi.otani"]) {
    await page.getByRole("checkbox", { name: `Select ${username}`, exact: true }).check();
  }
  await bar.getByRole("button", { name: "Send passkey invitations" }).click();
  const dialog = page.getByRole("dialog", { name: "Send passkey invitations to 3 identities?" });
  await expect(dialog).toContainText("edsger.dijkstra, jose.nunez, hiroshi.otani");
  await dialog.getByRole("button", { name: "Send 3 invitations" }).click();
  await expect(page).toHaveURL(/\/invitations\/[0-9a-f]{16}$/);
  await expect(page.getByRole("heading", { level: 1, name: "Passkey invitations" })).toBeVisible();
  const summary = page.locator("#batch-summary");
  await expect(summary).toContainText("Sent 2 of 3 invitations.", { timeout: 20_000 });
  await expect(summary).toContainText("edsger.dijkstra: Identity missing email address");
  await expectAccessible(page);
  // The batch has an address: a reload shows the same summary.
  await page.reload();
  await expect(page.locator("#batch-summary")).toContainText("Sent 2 of 3 invitations.");
  await page.getByRole("link", { name: "← Identities" }).click();
  const search = page.getByRole("searchbox", { name: "Search by name, username, email or external ID" });
  await search.fill("hiroshi.otani");
  await search.press("Enter");
  await expect(page.locator("tbody tr").first()).toContainText("Invitation pending");
});
