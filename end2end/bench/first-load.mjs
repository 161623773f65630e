// First load of the identities page as a person gets it: Debian's chromium over an emulated link (10 Mbit/s,
// 40 ms round trip), signed in, cold cache then warm cache (a reload). Prints one JSON object: time to readable
// (the table's first row shown), time to interactive (the app hydrated), bytes transferred per asset, and on the
// warm reload how many asset requests reached the server, as Markdown table rows.
// usage: node end2end/bench/first-load.mjs BASE_URL USERNAME PASSWORD   (run by scripts/bench.sh)
import { chromium } from "@playwright/test";

const [base, username, password] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const LINK = { offline: false, latency: 40, downloadThroughput: (10e6 / 8), uploadThroughput: (10e6 / 8) };

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// Signed in once, without emulation; the measured contexts start from that session and an empty cache.
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

async function load(page, cdp, reload) {
  const assets = new Map();
  const fromNetwork = new Set();
  const urls = new Map();
  const cached = new Set();
  const onSent = (e) => urls.set(e.requestId, e.request.url);
  const onCached = (e) => cached.add(e.requestId);
  const onResponse = (e) => {
    if (!e.response.fromDiskCache && !e.response.fromServiceWorker && !e.response.fromPrefetchCache) {
      fromNetwork.add(e.requestId);
    }
  };
  const onDone = (e) => {
    const url = urls.get(e.requestId);
    if (url) assets.set(new URL(url).pathname, (assets.get(new URL(url).pathname) ?? 0) + e.encodedDataLength);
  };
  cdp.on("Network.requestWillBeSent", onSent);
  cdp.on("Network.requestServedFromCache", onCached);
  cdp.on("Network.responseReceived", onResponse);
  cdp.on("Network.loadingFinished", onDone);
  const started = Date.now();
  if (reload) {
    await page.reload({ waitUntil: "commit" });
  } else {
    await page.goto(`${base}${landing}`, { waitUntil: "commit" });
  }
  await page.locator("table tbody tr").first().waitFor({ state: "visible", timeout: 60_000 });
  const readable = Date.now() - started;
  await page.locator("#app[data-hydrated='true']").waitFor({ state: "attached", timeout: 60_000 });
  const interactive = Date.now() - started;
  await page.waitForLoadState("networkidle");
  cdp.off("Network.requestWillBeSent", onSent);
  cdp.off("Network.requestServedFromCache", onCached);
  cdp.off("Network.responseReceived", onResponse);
  cdp.off("Network.loadingFinished", onDone);
  const assetRequests = [...urls.entries()].filter(([id, u]) => fromNetwork.has(id) && !cached.has(id) && new URL(u).pathname.startsWith("/pkg/")).length;
  return { readable_ms: readable, interactive_ms: interactive, bytes: Object.fromEntries(assets), asset_requests_to_server: assetRequests };
}

const context = await browser.newContext({ storageState: state });
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send("Network.enable");
await cdp.send("Network.emulateNetworkConditions", LINK);
const cold = await load(page, cdp, false);
const warm = await load(page, cdp, true);
await browser.close();
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const sizes = (bytes) => Object.entries(bytes)
  .map(([path, n]) => [path.startsWith("/pkg/") ? path.replace(/^.*\.(\w+)$/, "$1") : "page", n])
  .sort((a, b) => b[1] - a[1])
  .map(([what, n]) => `${what} ${kib(n)}`)
  .join(", ");
const total = (bytes) => kib(Object.values(bytes).reduce((a, b) => a + b, 0));
console.log(`| Identities page, cold cache, 10 Mbit/s 40 ms: readable / interactive | ${cold.readable_ms} ms / ${cold.interactive_ms} ms |`);
console.log(`| Bytes transferred, cold cache (total ${total(cold.bytes)}) | ${sizes(cold.bytes)} |`);
console.log(`| Warm-cache reload: readable / interactive; asset requests reaching the server | ${warm.readable_ms} ms / ${warm.interactive_ms} ms; ${warm.asset_requests_to_server} |`);
