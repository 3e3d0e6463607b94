// Fixtures and page helpers shared by the specs. Everything is found by role,
// label or test id, and every wait is on a fact the page states.

import { test as base, expect, type BrowserContext, type Locator, type Page } from '@playwright/test';

export { expect };

export const PASSWORD = 'correct horse 1';

/** A signed-up user with their own browser context, on the feed. */
export interface User {
  username: string;
  email: string;
  context: BrowserContext;
  page: Page;
}

interface Fixtures {
  /** Signs up a fresh random user in a new browser context and opens the feed. */
  newUser: (prefix: string) => Promise<User>;
}

export const test = base.extend<Fixtures>({
  newUser: async ({ browser, baseURL }, use) => {
    const contexts: BrowserContext[] = [];
    // A panic in the WASM app (a hydration mismatch, say) leaves a page that looks
    // right but does not work: fail the test on any such error, whatever it asserted.
    const pageErrors: string[] = [];
    await use(async (prefix) => {
      const context = await browser.newContext({ baseURL });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(`${prefix}: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && /hydration|panicked/i.test(m.text())) pageErrors.push(`${prefix}: ${m.text()}`);
      });
      const username = uniqueName(prefix);
      const email = `${username}@example.com`;
      await signUp(page, username, email);
      await expectOnFeed(page, username);
      return { username, email, context, page };
    });
    for (const context of contexts) await context.close();
    expect(pageErrors, 'errors in the pages').toEqual([]);
  },
});

/** A username that is new on every run: `prefix_<time><random>`, at most 30 chars. */
export function uniqueName(prefix: string): string {
  const suffix = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  return `${prefix}_${suffix}`.slice(0, 30);
}

/** A post text no other test or run can have written. */
export function uniqueText(label: string): string {
  return `${label} ${Date.now().toString(36)} ${Math.random().toString(36).slice(2, 8)}`;
}

export async function waitHydrated(page: Page): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', 'true');
}

export async function waitConnected(page: Page): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-socket', 'connected');
  await expect(page.getByTestId('conn-status')).toHaveText('Live');
}

/** Opens `path` and waits until the page is hydrated and its socket connected. */
export async function openLive(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await waitHydrated(page);
  await waitConnected(page);
}

export async function signUp(page: Page, username: string, email: string): Promise<void> {
  await page.goto('/signup');
  await waitHydrated(page);
  await field(page, 'Username').fill(username);
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await expectPath(page, '/');
}

export async function signIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto('/signin');
  await waitHydrated(page);
  await field(page, 'Username or email').fill(login);
  await field(page, 'Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

export async function expectPath(page: Page, pathname: string): Promise<void> {
  await expect(page).toHaveURL((url) => url.pathname === pathname);
}

/** The feed of a signed-in user, hydrated and live. */
export async function expectOnFeed(page: Page, username: string): Promise<void> {
  await expectPath(page, '/');
  await waitHydrated(page);
  await waitConnected(page);
  await expect(page.getByTestId('current-user')).toHaveText(username);
  // attached, not visible: an empty feed may have no height.
  await expect(page.getByTestId('feed')).toBeAttached();
}

export function feedPosts(page: Page): Locator {
  return page.getByTestId('feed').getByTestId('post');
}

/** The post in the feed whose text is exactly `text`. */
export function postWithText(page: Page, text: string): Locator {
  const exact = new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`);
  return feedPosts(page).filter({ has: page.getByTestId('post-text').filter({ hasText: exact }) });
}

/** The post in the feed with the given id, whatever its text. */
export function postWithId(page: Page, id: string): Locator {
  return feedPosts(page).and(page.locator(`[data-post-id="${id}"]`));
}

/** Writes a post through the composer and waits for it in the author's feed; returns its id. */
export async function createPost(
  page: Page,
  text: string,
  visibility: 'public' | 'private' = 'public',
): Promise<string> {
  const composer = field(page, "What's on your mind?");
  await composer.fill(text);
  await field(page, 'Who can see this').selectOption(visibility);
  await page.getByRole('button', { name: 'Post', exact: true }).click();
  const post = postWithText(page, text);
  await expect(post).toHaveCount(1);
  const id = await post.getAttribute('data-post-id');
  expect(id, 'a post carries its id in data-post-id').toBeTruthy();
  return id as string;
}

/**
 * The form control labelled `label`. The label must start with that text; it may
 * go on, because a control nested inside its <label> adds its own text (a select
 * its chosen option) to the accessible name.
 */
export function field(page: Page, label: string): Locator {
  return page.getByLabel(new RegExp(`^\\s*${escapeRegExp(label)}`));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
