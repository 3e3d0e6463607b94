import {
  createPost,
  expect,
  postWithId,
  postWithText,
  test,
  uniqueText,
  waitConnected,
  waitHydrated,
} from './support';
import type { Page } from '@playwright/test';

async function markNeverReloaded(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __marker?: string }).__marker = 'never reloaded';
  });
}

async function expectNeverReloaded(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe('never reloaded');
}

async function openLive(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await waitHydrated(page);
  await waitConnected(page);
}

test.describe('social graph', () => {
  test("B's reaction and comment on A's post reach A live", async ({ newUser }) => {
    const a = await newUser('a');
    const b = await newUser('b');
    await markNeverReloaded(a.page);
    const text = uniqueText('react to this');
    const id = await createPost(a.page, text);

    const onB = postWithId(b.page, id);
    await expect(onB.getByTestId('post-text')).toHaveText(text);
    await onB.getByRole('button', { name: 'React love' }).click();
    await expect(onB.getByRole('button', { name: 'React love' })).toHaveAttribute('aria-pressed', 'true');

    const onA = postWithId(a.page, id);
    // The button shows its emoji and the count.
    await expect(onA.getByRole('button', { name: 'React love' })).toHaveText(/ 1$/);

    await onB.getByTestId('comment-count').click();
    await expect(b.page).toHaveURL(new RegExp(`/posts/${id}$`));
    await waitHydrated(b.page);
    await waitConnected(b.page);
    const comment = uniqueText('nice post');
    await b.page.getByLabel('Write a comment').fill(comment);
    await b.page.getByRole('button', { name: 'Comment', exact: true }).click();
    await expect(b.page.getByTestId('comment').filter({ hasText: comment })).toHaveCount(1);

    await expect(onA.getByTestId('comment-count')).toHaveText('1 comment');
    await expectNeverReloaded(a.page);
    // The post page shows the comment and who reacted.
    await openLive(a.page, `/posts/${id}`);
    await expect(a.page.getByTestId('comment').filter({ hasText: comment })).toHaveCount(1);
    await expect(a.page.getByTestId('reactors')).toContainText(b.username);
  });

  test("A follows B and B's open profile counts the new follower live", async ({ newUser }) => {
    const a = await newUser('a');
    const b = await newUser('b');
    await openLive(b.page, `/u/${b.username}`);
    await markNeverReloaded(b.page);
    await expect(b.page.getByTestId('followers-count')).toHaveText('0');

    await openLive(a.page, `/u/${b.username}`);
    await a.page.getByRole('button', { name: 'Follow', exact: true }).click();
    await expect(a.page.getByRole('button', { name: 'Unfollow', exact: true })).toBeVisible();

    await expect(b.page.getByTestId('followers-count')).toHaveText('1');
    await expectNeverReloaded(b.page);
  });

  test("A blocks B and B's open feed loses A's posts without reload", async ({ newUser }) => {
    const a = await newUser('a');
    const b = await newUser('b');
    await markNeverReloaded(b.page);
    const text = uniqueText('soon hidden');
    await createPost(a.page, text);
    await expect(postWithText(b.page, text)).toHaveCount(1);

    await openLive(a.page, `/u/${b.username}`);
    await a.page.getByRole('button', { name: 'Block', exact: true }).click();
    await expect(a.page.getByRole('button', { name: 'Unblock', exact: true })).toBeVisible();

    await expect(postWithText(b.page, text)).toHaveCount(0);
    await expectNeverReloaded(b.page);
    // A's next post does not reach B either.
    const after = uniqueText('after the block');
    await openLive(a.page, '/');
    await createPost(a.page, after);
    const control = uniqueText('control');
    await createPost(b.page, control);
    await expect(postWithText(b.page, control)).toHaveCount(1);
    await expect(postWithText(b.page, after)).toHaveCount(0);
  });
});
