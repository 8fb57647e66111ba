import type { Locator, Page } from 'playwright-core';

/**
 * Waits until `locator` matches `n` elements (10 s), then asserts it. Polled from the test: the
 * dashboard's CSP (script-src 'self') blocks the eval that waitForFunction needs to poll a string
 * predicate, so that fails whenever the first check comes too early.
 */
export async function waitForCount(page: Page, locator: Locator, n: number): Promise<void> {
  for (let i = 0; i < 100 && (await locator.count()) !== n; i++) await page.waitForTimeout(100);
  expect(await locator.count()).toBe(n);
}
