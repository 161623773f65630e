// What the first-load benchmarks share: the emulated link, Debian's chromium, and a signed-in session.
import { chromium } from "@playwright/test";

/// 10 Mbit/s each way, 40 ms of latency.
export const LINK = { offline: false, latency: 40, downloadThroughput: (10e6 / 8), uploadThroughput: (10e6 / 8) };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/// Signs in once, without emulation: the session (for new contexts) and the page sign-in lands on.
export async function signedIn(browser, base, username, password) {
  const setup = await browser.newContext();
  const login = await setup.newPage();
  await login.goto(`${base}/login`);
  await login.getByLabel("Username").fill(username);
  await login.getByLabel("Password").fill(password);
  await login.getByRole("button", { name: "Sign in" }).click();
  await login.waitForURL(/\/realms\//);
  const landing = new URL(login.url()).pathname;
  const state = await setup.storageState();
  await setup.close();
  return { state, landing };
}

/// A new context (cold cache) from `state`, its page behind the emulated link; `init` runs before any page script.
export async function emulatedPage(browser, state, init) {
  const context = await browser.newContext({ storageState: state });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", LINK);
  return { context, page, cdp };
}
