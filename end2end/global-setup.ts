import { request, FullConfig } from "@playwright/test";

// Signs in as the admin operator once; the tests start from that session (storageState).
export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0].use.baseURL!;
  const password = process.env.E2E_ADMIN_PASSWORD;
  if (!password) throw new Error("E2E_ADMIN_PASSWORD is not set (scripts/test.sh sets it)");
  const ctx = await request.newContext({ baseURL });
  const res = await ctx.post("/sign-in", {
    form: { username: "admin", password, next: "/" },
    maxRedirects: 0,
  });
  if (res.status() !== 303 || (res.headers()["location"] ?? "").startsWith("/login")) {
    throw new Error(`admin sign-in failed: ${res.status()} ${res.headers()["location"]}`);
  }
  await ctx.storageState({ path: "playwright/.auth/admin.json" });
  await ctx.dispose();
}
