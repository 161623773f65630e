import { expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/// Scans the page as it is now with axe-core for WCAG 2.1 A and AA problems; none may be found.
export async function expectAccessible(page: Page) {
  const scan = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const found = scan.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(found, `accessibility problems on ${page.url()}`).toEqual([]);
}
