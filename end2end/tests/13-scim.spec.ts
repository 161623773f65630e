import { test, expect, Page, APIRequestContext } from "./fixtures";
import { expectAccessible } from "./axe";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

async function scimBase(page: Page) {
  await page.goto("/");
  const realm = new URL(page.url()).pathname.split("/")[2];
  const tenant = (await page.locator("#mode-badge").getAttribute("title"))!.replace(/^.*tenant /, "");
  return { realm, base: `/sandbox/v1/tenants/${tenant}/realms/${realm}/scim/v2` };
}

function auth() {
  const token = process.env.SANDBOX_TOKEN;
  expect(token, "the test command sets SANDBOX_TOKEN").toBeTruthy();
  return { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" };
}

async function patch(request: APIRequestContext, url: string, operations: object[]) {
  const resp = await request.patch(url, { headers: auth(), data: { schemas: [PATCH], Operations: operations } });
  expect(resp.status()).toBe(200);
}

test("a user provisioned over SCIM shows in the console: listed, found by external id, suspended, in its group", async ({ page, request }) => {
  const { realm, base } = await scimBase(page);
  const stamp = Date.now();
  const created = await request.post(`${base}/Users`, {
    headers: auth(),
    data: {
      schemas: [USER], userName: `scim.${stamp}`, displayName: "Scim Pushed", externalId: `okta-${stamp}`,
      emails: [{ value: `scim.${stamp}@example.com`, primary: true }], name: { givenName: "Scim", familyName: "Pushed" }, active: true,
    },
  });
  expect(created.status()).toBe(201);
  const user = await created.json();

  // Found in the list by the key the SCIM client keeps.
  await page.goto(`/realms/${realm}/identities?q=okta-${stamp}`);
  await expect(page.getByRole("cell", { name: "Scim Pushed", exact: true })).toBeVisible();
  await page.getByRole("link", { name: `scim.${stamp}`, exact: true }).click();
  await expect(page.getByRole("heading", { name: "Scim Pushed" })).toBeVisible();
  await expect(page.getByText(`okta-${stamp}`, { exact: true })).toBeVisible();
  await expect(page.locator("#identity-status")).toHaveText("Active");
  await expectAccessible(page);

  // Deactivated by the identity provider: suspended in the console.
  await patch(request, `${base}/Users/${user.id}`, [{ op: "replace", value: { active: false } }]);
  await page.reload();
  await expect(page.locator("#identity-status")).toHaveText("Suspended");

  // A group it pushes, with the user in it: the group's page lists the member.
  const group = await request.post(`${base}/Groups`, {
    headers: auth(),
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `SCIM Group ${stamp}` },
  });
  expect(group.status()).toBe(201);
  const gid = (await group.json()).id;
  await patch(request, `${base}/Groups/${gid}`, [{ op: "add", path: "members", value: [{ value: user.id }] }]);
  await page.goto(`/realms/${realm}/groups/${gid}`);
  await expect(page.getByRole("heading", { level: 1, name: `SCIM Group ${stamp}` })).toBeVisible();
  await expect(page.getByRole("link", { name: `scim.${stamp}`, exact: true })).toBeVisible();
});
