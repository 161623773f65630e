import { test, expect, Page } from "./fixtures";
import { readFileSync } from "fs";
import { expectAccessible } from "./axe";

async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
}

const FILE = [
  "username,name,email,external_id,groups",
  "imp.one,Imp One,imp.one@acme.example,,Engineering;E2E Import Crew",
  "imp.two,\"Two, Imp\",imp.two@acme.example,,E2E Import Crew",
  "imp.three,Imp Three,,,",
  "robin.milner,,,HR-1001,",
  "bad;user,Bad,bad@acme.example,,",
].join("\r\n");

test("import a file: the plan says what it will do, then apply, progress, summary and the result", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Import identities" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("File (CSV or JSON)").setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(FILE) });
  await page.getByRole("button", { name: "Plan import" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Import plan" })).toBeVisible();
  await expect(page.locator("#count-create")).toHaveText("3 to create");
  await expect(page.locator("#count-update")).toHaveText("1 to update");
  await expect(page.locator("#count-error")).toHaveText("1 with errors");
  await expect(page.locator("#count-groups")).toHaveText("1 groups to create");
  await expect(page.getByText("Groups to create: E2E Import Crew.")).toBeVisible();
  const rows = page.getByRole("region", { name: "Rows" });
  await expect(rows).toContainText("external_id: (empty) → HR-1001");
  await expect(rows).toContainText("joins Engineering, E2E Import Crew");
  await hydrated(page);
  await expectAccessible(page);

  // Only the errors, then the errors as a file to fix.
  await page.getByRole("navigation", { name: "Show rows" }).getByRole("link", { name: "Errors" }).click();
  await expect(rows.locator("tbody tr")).toHaveCount(1);
  await expect(rows).toContainText("username: Username must not contain ;.");
  const [errors] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the rows with errors (CSV)" }).click(),
  ]);
  // A cell holding a ";" is quoted: a spreadsheet that splits at ";" keeps it one cell.
  expect(readFileSync((await errors.path())!, "utf8")).toContain('"bad;user",Bad,bad@acme.example');

  await page.getByRole("button", { name: "Apply import" }).click();
  const summary = page.locator("#import-summary");
  await expect(summary).toContainText("Import done", { timeout: 20_000 });
  await expect(summary).toContainText("0 failed");
  await expectAccessible(page);
  const [result] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the result (CSV)" }).click(),
  ]);
  const text = readFileSync((await result.path())!, "utf8");
  expect(text).toMatch(/^line,username,action,outcome,message,identity_id/);
  expect(text).toMatch(/imp\.one,create,ok,,[0-9a-f]{16}/);

  // The new identities are there, members of their groups.
  await page.getByRole("link", { name: "← Identities" }).click();
  const search = page.getByRole("searchbox", { name: "Search by name, username, email or external ID" });
  await search.fill("imp.one");
  await search.press("Enter");
  await page.getByRole("link", { name: "imp.one", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Groups (2)" })).toBeVisible();
  await expect(page.locator("#groups")).toContainText("E2E Import Crew");
});

test("export the current search as CSV", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const search = page.getByRole("searchbox", { name: "Search by name, username, email or external ID" });
  await search.fill("lovelace");
  await search.press("Enter");
  await expect(page).toHaveURL(/q=lovelace/);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  const text = readFileSync((await download.path())!, "utf8");
  const lines = text.trim().split(/\r?\n/);
  expect(lines[0]).toBe("username,name,email,external_id,given_name,family_name,status,enrollment_status,groups,id,created,updated");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(/^ada\.lovelace,Ada Lovelace,/);
});

async function planFile(page: Page, name: string, text: string, sync: boolean) {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.getByLabel("File (CSV or JSON)").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text) });
  if (sync) {
    await page.getByRole("checkbox", { name: /^Make the membership of the groups in the file match it/ }).check();
  }
  await page.getByRole("button", { name: "Plan import" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Import plan" })).toBeVisible();
}

test("make a group's membership match a file: the plan counts who leaves, the apply removes them", async ({ page }) => {
  const stamp = Date.now();
  const group = `E2E Sync ${stamp}`;
  await planFile(page, "two.csv", `username,name,groups\nsync.a.${stamp},Sync A,${group}\nsync.b.${stamp},Sync B,${group}\n`, false);
  await page.getByRole("button", { name: "Apply import" }).click();
  await expect(page.locator("#import-summary")).toContainText("Import done", { timeout: 20_000 });

  await planFile(page, "one.csv", `username,groups\nsync.a.${stamp},${group}\n`, true);
  await expect(page.locator("#count-removals")).toHaveText("1 memberships to remove");
  await expect(page.getByText(`Members removed to match the file — ${group}: 1.`)).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Apply import" }).click();
  await expect(page.locator("#import-summary")).toContainText("0 failed", { timeout: 20_000 });
  await page.getByRole("navigation").getByRole("link", { name: "Groups" }).first().click();
  await page.getByRole("link", { name: group, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: group })).toBeVisible();
  await expect(page.getByRole("link", { name: `sync.a.${stamp}`, exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: `sync.b.${stamp}`, exact: true })).toHaveCount(0);
});

test("suspend the identities a file does not list: the plan names them, the number is typed to confirm", async ({ page }) => {
  const stamp = Date.now();
  const leaver = `leaver.${stamp}`;
  await planFile(page, "leaver.csv", `username,name\n${leaver},Leaving Person\n`, false);
  await page.getByRole("button", { name: "Apply import" }).click();
  await expect(page.locator("#import-summary")).toContainText("0 failed", { timeout: 20_000 });

  // The whole realm as a file, without the leaver.
  await page.getByRole("link", { name: "← Identities" }).click();
  await hydrated(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  const everyone = readFileSync((await download.path())!, "utf8");
  expect(everyone).toContain(`${leaver},Leaving Person`);
  const kept = everyone.split(/\r?\n/).filter((l) => !l.startsWith(`${leaver},`)).join("\n");

  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.getByLabel("File (CSV or JSON)").setInputFiles({ name: "everyone.csv", mimeType: "text/csv", buffer: Buffer.from(kept) });
  await page.getByRole("checkbox", { name: /^Suspend the realm's active identities that are not in the file/ }).check();
  await page.getByRole("button", { name: "Plan import" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Import plan" })).toBeVisible();
  await expect(page.locator("#count-suspensions")).toHaveText("1 identities to suspend (not in the file)");
  await expect(page.locator("#count-create")).toHaveText("0 to create");
  await page.getByRole("navigation", { name: "Show rows" }).getByRole("link", { name: "Suspend" }).click();
  const rows = page.getByRole("region", { name: "Rows" });
  await expect(rows.locator("tbody tr")).toHaveCount(1);
  await expect(rows).toContainText(leaver);
  await hydrated(page);
  await expectAccessible(page);

  const confirm = page.getByLabel("Type 1 to confirm suspending 1 identities");
  await confirm.fill("2");
  await page.getByRole("button", { name: "Apply import" }).click();
  await expect(page.locator("#import-confirm-error")).toHaveText("“2” is not 1: type 1 to confirm suspending 1 identities.");
  await expect(confirm).toHaveAttribute("aria-invalid", "true");
  await expect(confirm).toHaveValue("2");
  await expectAccessible(page);
  await confirm.fill("1");
  await page.getByRole("button", { name: "Apply import" }).click();
  await expect(page.locator("#import-summary")).toContainText("Import done: 1 of 1 steps done, 0 failed.", { timeout: 20_000 });

  await page.getByRole("link", { name: "← Identities" }).click();
  const search = page.getByRole("searchbox", { name: "Search by name, username, email or external ID" });
  await search.fill(leaver);
  await search.press("Enter");
  await page.getByRole("link", { name: leaver, exact: true }).click();
  await expect(page.locator("#identity-status")).toHaveText("Suspended");
});
