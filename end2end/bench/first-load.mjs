// First load of the identities page as a person gets it: Debian's chromium over an emulated link (10 Mbit/s,
// 40 ms round trip), signed in, cold cache (FIRST_LOADS of them, default 5, each in a new browser context) then warm
// cache (a reload). Times are the browser's own, from the navigation's start (Navigation Timing): "interactive" when
// the app has hydrated (`data-hydrated` turns "true", seen by an observer installed before the page's scripts),
// "readable" the first paint with the table's first row (the later of the first contentful paint and the row's
// arrival in the page). Prints Markdown table rows: median and range of the cold loads, the bytes transferred per
// asset, and the warm reload with how many asset requests reached the server.
// usage: node end2end/bench/first-load.mjs BASE_URL USERNAME PASSWORD   (run by scripts/bench.sh)
import { emulatedPage, launch, signedIn } from "./browser.mjs";

const [base, username, password] = process.argv.slice(2);
const LOADS = Number(process.env.FIRST_LOADS ?? 5);
const browser = await launch();
// Signed in once, without emulation; the measured contexts start from that session and an empty cache.
const { state, landing } = await signedIn(browser, base, username, password);

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
  if (reload) {
    await page.reload({ waitUntil: "commit" });
  } else {
    await page.goto(`${base}${landing}`, { waitUntil: "commit" });
  }
  await page.locator("#app[data-hydrated='true']").waitFor({ state: "attached", timeout: 60_000 });
  const { readable, interactive } = await page.evaluate(() => {
    const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Infinity;
    return { readable: Math.round(Math.max(fcp, window.__load.row)), interactive: Math.round(window.__load.hydrated) };
  });
  await page.waitForLoadState("networkidle");
  cdp.off("Network.requestWillBeSent", onSent);
  cdp.off("Network.requestServedFromCache", onCached);
  cdp.off("Network.responseReceived", onResponse);
  cdp.off("Network.loadingFinished", onDone);
  const assetRequests = [...urls.entries()].filter(([id, u]) => fromNetwork.has(id) && !cached.has(id) && new URL(u).pathname.startsWith("/pkg/")).length;
  return { readable_ms: readable, interactive_ms: interactive, bytes: Object.fromEntries(assets), asset_requests_to_server: assetRequests };
}

// Marks, from the navigation's start, when the table's first row is in the page and when the app has hydrated.
function observe() {
  window.__load = {};
  new MutationObserver(() => {
    if (window.__load.row === undefined && document.querySelector("table tbody tr")) window.__load.row = performance.now();
    if (window.__load.hydrated === undefined && document.getElementById("app")?.dataset.hydrated === "true") {
      window.__load.hydrated = performance.now();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
}

const cold = [];
let warm;
for (let i = 0; i < LOADS; i++) {
  const { context, page, cdp } = await emulatedPage(browser, state, observe);
  cold.push(await load(page, cdp, false));
  if (i === LOADS - 1) warm = await load(page, cdp, true);
  await context.close();
}
await browser.close();
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const sizes = (bytes) => Object.entries(bytes)
  .map(([path, n]) => [path.startsWith("/pkg/") ? path.replace(/^.*\.(\w+)$/, "$1") : "page", n])
  .sort((a, b) => b[1] - a[1])
  .map(([what, n]) => `${what} ${kib(n)}`)
  .join(", ");
const total = (bytes) => kib(Object.values(bytes).reduce((a, b) => a + b, 0));
const spread = (key) => {
  const v = cold.map((r) => r[key]).sort((a, b) => a - b);
  return `${v[Math.floor((v.length - 1) / 2)]} ms (${v[0]}–${v[v.length - 1]})`;
};
console.log(`| Identities page, cold cache, 10 Mbit/s 40 ms, median of ${LOADS} (range): readable / interactive | ${spread("readable_ms")} / ${spread("interactive_ms")} |`);
console.log(`| Bytes transferred, cold cache (total ${total(cold[0].bytes)}) | ${sizes(cold[0].bytes)} |`);
console.log(`| Warm-cache reload: readable / interactive; asset requests reaching the server | ${warm.readable_ms} ms / ${warm.interactive_ms} ms; ${warm.asset_requests_to_server} |`);
