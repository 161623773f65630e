// Checks a release build split by route: every lazily loaded screen opened directly (its code fetched before the
// page is hydrated) and by navigation, and the Identities list's selection tools (loaded on first selection), with no
// error in the browser and no control left disabled once hydrated. Prints one Markdown table row; exits 1 on an
// error. usage: node end2end/bench/lazy-routes.mjs BASE_URL USERNAME PASSWORD   (run by scripts/bench.sh)
import { chromium } from "@playwright/test";

const [base, username, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const page = await browser.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e).split("\n")[0]));
page.on("console", (m) => {
  // A missing favicon is not the app's error.
  if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) errors.push(m.text().split("\n")[0]);
});
await page.goto(`${base}/login`);
await page.getByLabel("Username").fill(username);
await page.getByLabel("Password").fill(password);
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL(/\/realms\//);
const realm = `${base}/realms/${new URL(page.url()).pathname.split("/")[2]}`;
const hydrated = () => page.locator("#app[data-hydrated='true']").waitFor({ state: "attached", timeout: 30_000 });
await hydrated();

// By navigation: Groups, a group, Audit.
const nav = page.getByRole("navigation", { name: "Directory" });
await nav.getByRole("link", { name: "Groups" }).click();
await page.getByRole("heading", { level: 1, name: "Groups" }).waitFor();
await page.locator("table tbody tr a").first().click();
await page.waitForURL(/\/groups\/[0-9a-f]+$/);
const group = page.url();
await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Audit" }).click();
await page.getByRole("heading", { level: 1, name: "Audit" }).waitFor();

// Opened directly, each screen with its own code.
await page.goto(`${realm}/identities`);
await hydrated();
// The selection's tools arrive with their own code when a row is first selected.
await page.getByRole("checkbox", { name: /^Select / }).nth(1).check();
await page.getByRole("region", { name: "Bulk actions" }).getByRole("button", { name: "Clear selection" }).click();
await page.locator("table tbody tr a").first().click();
await page.waitForURL(/\/identities\/[0-9a-f]+$/);
const identity = page.url();
// Opened directly, a screen's controls come alive once its code has arrived and the page is hydrated.
await page.goto(identity);
await hydrated();
if (await page.getByRole("button", { name: "Suspend", exact: true }).isDisabled({ timeout: 10_000 })) {
  errors.push("an identity opened directly kept its controls disabled after hydration");
}
const direct = [
  `${realm}/identities/new`, identity, `${identity}/edit`, `${realm}/groups`, `${realm}/groups/new`, group,
  `${group}/edit`, `${realm}/audit`, `${realm}/outbox`, `${realm}/import`, `${realm}/identities`,
];
for (const url of direct) {
  await page.goto(url);
  await hydrated();
  await page.waitForLoadState("networkidle");
}
await browser.close();
const opened = direct.length + 3;
console.log(`| Split build: screens opened directly and by navigation; errors in the browser | ${opened}; ${errors.length}${errors.length ? " (" + errors.join("; ") + ")" : ""} |`);
process.exit(errors.length ? 1 : 0);
