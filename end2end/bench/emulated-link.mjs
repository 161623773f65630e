// What the benchmark's emulated link delivers to one transfer: a file's first N bytes fetched by a page in
// chromium behind `LINK` (with and without its latency), from a plain HTTP server started here that writes the body
// in pieces of a chosen size. Prints Markdown rows: the median and range of four fetches each, in ms.
// usage: node bench/emulated-link.mjs FILE
import http from "node:http";
import fs from "node:fs";
import { launch, LINK } from "./browser.mjs";

const file = fs.readFileSync(process.argv[2]);
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname === "/") {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<!doctype html><html lang=en><title>link</title><p>link</p></html>");
    return;
  }
  const body = file.subarray(0, Number(url.searchParams.get("bytes")));
  const piece = Number(url.searchParams.get("piece")) || body.length;
  res.socket.setNoDelay(true);
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length, "cache-control": "no-store" });
  let at = 0;
  const write = () => {
    while (at < body.length) {
      const end = Math.min(at + piece, body.length);
      const more = res.write(body.subarray(at, end));
      at = end;
      if (!more) return res.once("drain", write);
    }
    res.end();
  };
  write();
});
await new Promise((up) => server.listen(0, "127.0.0.1", up));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await launch();
async function fetchOnce(bytes, latency, piece) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { ...LINK, latency });
  await page.goto(`${base}/`);
  const ms = await page.evaluate(async (url) => {
    const t = performance.now();
    await (await fetch(url)).arrayBuffer();
    return performance.now() - t;
  }, `${base}/file?bytes=${bytes}&piece=${piece}&n=${Math.random()}`);
  await context.close();
  return ms;
}
const whole = Math.min(250_000, file.length);
const cases = [
  ...[62_500, 125_000, whole].flatMap((bytes) => [0, LINK.latency].map((latency) => ({ bytes, latency, piece: 65_536 }))),
  { bytes: whole, latency: LINK.latency, piece: 8_192 },
  { bytes: whole, latency: LINK.latency, piece: 0 },
];
for (const c of cases) {
  const times = [];
  for (let i = 0; i < 4; i++) times.push(await fetchOnce(c.bytes, c.latency, c.piece));
  times.sort((a, b) => a - b);
  const written = c.piece ? `${c.piece / 1024} KiB writes` : "one write";
  console.log(`| emulated link: ${c.bytes.toLocaleString("en")} bytes, ${c.latency} ms latency, ${written} | ` +
    `${Math.round((times[1] + times[2]) / 2)} ms (${Math.round(times[0])}–${Math.round(times[3])}); ` +
    `${(c.bytes * 8 / 1000 / Math.max(1, (times[1] + times[2]) / 2 - c.latency)).toFixed(1)} Mbit/s |`);
}
await browser.close();
server.close();
