// Where one cold first load of the identities page spends its time: a chromium trace over the same emulated link
// as first-load.mjs (10 Mbit/s, 40 ms), summed from the renderer's main thread. Prints Markdown table rows, in
// milliseconds from the navigation's start: when each file was asked for and arrived, the main thread's style and
// layout, paint, scripts, the wasm's compiling (streamed, then function by function as hydration first calls them),
// the hydration call, and when the app had hydrated.
// usage: node end2end/bench/first-load-trace.mjs BASE_URL USERNAME PASSWORD [TRACE_FILE]
import { emulatedPage, launch, signedIn } from "./browser.mjs";
import fs from "node:fs";

const [base, username, password, out = "/tmp/first-load-trace.json"] = process.argv.slice(2);
const browser = await launch();
// Signed in once, without emulation; the measured contexts start from that session and an empty cache.
const { state, landing } = await signedIn(browser, base, username, password);

const { page } = await emulatedPage(browser, state);
await browser.startTracing(page, {
  path: out,
  categories: ["devtools.timeline", "v8", "v8.wasm", "loading", "blink.user_timing"],
});
await page.goto(`${base}${landing}`, { waitUntil: "commit" });
await page.locator("#app[data-hydrated='true']").waitFor({ state: "attached", timeout: 60_000 });
await page.waitForTimeout(200);
await browser.stopTracing();
await browser.close();

const events = JSON.parse(fs.readFileSync(out, "utf8")).traceEvents;
const page0 = events.find((e) => e.name === "ResourceSendRequest" && e.args?.data?.url?.includes(landing));
const origin = Math.max(...events.filter((e) => e.name === "navigationStart" && e.ts <= page0.ts).map((e) => e.ts));
const at = (ts) => Math.round((ts - origin) / 1000);
const main = `${page0.pid}:${page0.tid}`;
const onMain = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ts >= origin);
const rows = [];
const requested = new Map();
for (const e of onMain) {
  const url = e.args?.data?.url;
  if (e.name === "ResourceSendRequest") requested.set(e.args.data.requestId, [url, at(e.ts)]);
}
for (const e of events.filter((e) => e.name === "ResourceFinish")) {
  const r = requested.get(e.args.data.requestId);
  if (!r) continue;
  // The page's own request is logged when the renderer takes its answer: "asked" is then when its answer began.
  const path = new URL(r[0]).pathname;
  const what = path.startsWith("/pkg/") ? path.replace(/^.*\/([^/.]+)[^/]*\.(\w+)$/, "$1 ($2)") : "the page";
  rows.push([`${what}: asked / arrived`, `${r[1]} / ${at(e.ts)}`]);
}
const total = (names) => {
  const hits = onMain.filter((e) => e.ph === "X" && names.includes(e.name));
  return [Math.round(hits.reduce((s, e) => s + e.dur, 0) / 1000), hits.length];
};
const [style] = total(["UpdateLayoutTree"]);
const [layout] = total(["Layout"]);
const [paint] = total(["PrePaint", "Paint", "Layerize", "Commit"]);
const [scripts] = total(["EvaluateScript", "v8.evaluateModule", "v8.compileModule"]);
const [streamed] = total(["v8.wasm.compileConsume", "v8.wasm.compileConsumeDone", "wasm.FinishStreaming"]);
const [lazy, lazyCount] = total(["wasm.CompileLazy"]);
const calls = onMain.filter((e) => e.ph === "X" && e.name === "FunctionCall" && /\/pkg\//.test(e.args?.data?.url ?? ""));
const hydration = calls.sort((a, b) => b.dur - a.dur)[0];
const fcp = events.find((e) => e.name === "firstContentfulPaint" && e.ts >= origin);
const dcl = events.find((e) => e.name === "domContentLoadedEventEnd" && e.ts >= page0.ts);
rows.push(["page parsed (DOMContentLoaded)", `${dcl ? at(dcl.ts) : "?"}`]);
rows.push(["first contentful paint", `${fcp ? at(fcp.ts) : "?"}`]);
rows.push(["main thread: style / layout / paint", `${style} / ${layout} / ${paint}`]);
rows.push(["main thread: scripts evaluated and compiled (JS)", `${scripts}`]);
rows.push(["main thread: the wasm's streamed compile, finishing", `${streamed}`]);
if (hydration) rows.push(["the hydration call: from / lasting", `${at(hydration.ts)} / ${Math.round(hydration.dur / 1000)}`]);
rows.push([`of which wasm functions compiled on first call (${lazyCount})`, `${lazy}`]);
if (hydration) rows.push(["hydrated (the hydration call's end)", `${at(hydration.ts + hydration.dur)}`]);
for (const [what, ms] of rows) console.log(`| ${what} | ${ms} |`);
