import { test as base, Page } from "@playwright/test";

export { expect } from "@playwright/test";
export type { Page, Browser, APIRequestContext } from "@playwright/test";

/// Playwright's `test`, with what the browser said along the way (uncaught errors, console errors and warnings —
/// a wasm panic is one —, failed requests and answers of 400 or more) printed when a test fails, so a failure far
/// from here can be read from the run's output alone.
export const test = base.extend<{ browserLog: void }>({
  browserLog: [
    async ({ context }, use, testInfo) => {
      const started = Date.now();
      const lines: string[] = [];
      const note = (page: Page, what: string) =>
        lines.push(`${String(Date.now() - started).padStart(6)} ms  ${what}  (on ${page.url()})`);
      const watch = (page: Page) => {
        page.on("pageerror", (e) => note(page, `uncaught: ${e.stack ?? e}`));
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") note(page, `console ${m.type()}: ${m.text()}`);
        });
        page.on("requestfailed", (r) => note(page, `request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ""}`));
        page.on("response", (r) => {
          if (r.status() >= 400) note(page, `answer ${r.status()}: ${r.request().method()} ${r.url()}`);
        });
        page.on("load", () => note(page, "loaded"));
      };
      context.pages().forEach(watch);
      context.on("page", watch);
      await use();
      if (testInfo.status !== testInfo.expectedStatus) {
        const log = lines.length ? lines.join("\n") : "(nothing)";
        console.log(`What the browser said during "${testInfo.title}":\n${log}`);
        await testInfo.attach("browser-log", { body: log, contentType: "text/plain" });
      }
    },
    { auto: true },
  ],
});
