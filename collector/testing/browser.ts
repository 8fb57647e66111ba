import type { Locator, Page } from 'playwright-core';

/**
 * Waits up to 10 s until `locator` matches `n` elements and returns how many it matches then (the test
 * asserts it). Polled from the test: the dashboard's CSP (script-src 'self') blocks the eval that
 * waitForFunction needs to poll a string predicate, so that fails whenever the first check comes early.
 */
export async function waitForCount(page: Page, locator: Locator, n: number): Promise<number> {
  for (let i = 0; i < 100 && (await locator.count()) !== n; i++) await page.waitForTimeout(100);
  return locator.count();
}
