import { defineConfig, devices } from "@playwright/test";

// Debian's chromium, never a downloaded browser.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "./tests",
  // scripts/test.sh runs every file on the split build, then a few again on the unsplit one (E2E_ONLY: file names).
  testMatch: process.env.E2E_ONLY ? process.env.E2E_ONLY.split(",") : "**/*.spec.ts",
  globalSetup: "./global-setup.ts",
  timeout: 60 * 1000,
  expect: { timeout: 15000 },
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    trace: "off",
    storageState: "playwright/.auth/admin.json",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: CHROMIUM,
          args: [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
          ],
        },
      },
    },
  ],
});
