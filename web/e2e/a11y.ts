import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

/** The WCAG 2.1 A and AA rules: what we promise. */
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

type Violations = Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"];

/** One paragraph per rule: what is wrong, where (selector and markup), how to fix it. */
function describe(screen: string, violations: Violations): string {
  const lines = [`${violations.length} accessibility violation(s) on ${screen}:`];
  for (const v of violations) {
    lines.push(``, `[${v.impact ?? "?"}] ${v.id}: ${v.help}`, `  ${v.helpUrl}`);
    for (const node of v.nodes) {
      lines.push(`  at ${node.target.join(" ")}`, `     ${node.html}`);
      if (node.failureSummary) lines.push(...node.failureSummary.split("\n").map((l) => `     ${l}`));
    }
  }
  return lines.join("\n");
}

/**
 * Run axe-core on what `page` shows now and record a failure, readably, for each violation.
 * Soft: one run reports every screen that fails, not just the first.
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  await test.step(`axe: ${screen}`, async () => {
    const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
    expect.soft(violations.length, describe(screen, violations)).toBe(0);
  });
}
