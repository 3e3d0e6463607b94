// Notifications and presence, live across two users: a comment raises the post
// author's badge without a reload, the notifications page lists it unread and
// "Mark all read" clears it; the people page's "Online now" follows another user
// coming and going.

import { createPost, expect, expectPath, openLive, postWithText, test, uniqueText } from './support';
import type { Page } from '@playwright/test';

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Write a message').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page.getByTestId('message').filter({ hasText: text })).toHaveCount(1);
}

async function markNeverReloaded(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __marker?: string }).__marker = 'never reloaded';
  });
}

async function expectNeverReloaded(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe('never reloaded');
}

test.describe('notifications', () => {
  test("A's comment on B's post raises B's badge live; B reads it on the notifications page", async ({
    newUser,
  }) => {
    const a = await newUser('a');
    const b = await newUser('b');
    const badge = b.page.getByTestId('notif-badge');
    await expect(badge).toHaveCount(0);
    await markNeverReloaded(b.page);
    const id = await createPost(b.page, uniqueText('comment on this'));

    await openLive(a.page, `/posts/${id}`);
    const comment = uniqueText('great post');
    await a.page.getByLabel('Write a comment').fill(comment);
    await a.page.getByRole('button', { name: 'Comment', exact: true }).click();
    await expect(a.page.getByTestId('comment').filter({ hasText: comment })).toHaveCount(1);

    // B's header counts it without a reload.
    await expect(badge).toHaveText('1');
    await expectNeverReloaded(b.page);

    await b.page.getByRole('link', { name: /^Notifications\b/ }).click();
    await expectPath(b.page, '/notifications');
    const item = b.page.getByTestId('notification').filter({ hasText: a.username });
    await expect(item).toHaveCount(1);
    await expect(item).toHaveAttribute('data-unread', 'true');
    await expect(item).toHaveAttribute('data-kind', 'comment');
    await expect(item).toContainText('commented on your post');
    await expect(item).toContainText(comment);
    await expect(item.getByRole('link', { name: 'View post' })).toHaveAttribute('href', `/posts/${id}`);

    await b.page.getByRole('button', { name: 'Mark all read', exact: true }).click();
    await expect(item).toHaveAttribute('data-unread', 'false');
    await expect(badge).toHaveCount(0);
    // It stays read after a reload: the server agrees.
    await openLive(b.page, '/notifications');
    await expect(b.page.getByTestId('notification').filter({ hasText: a.username })).toHaveAttribute(
      'data-unread',
      'false',
    );
    await expect(b.page.getByTestId('notif-badge')).toHaveCount(0);
  });

  test('a message to the conversation on screen does not notify; one to a tab elsewhere does, until read', async ({
    newUser,
  }) => {
    const a = await newUser('a');
    const b = await newUser('b');
    await openLive(b.page, `/chat/${a.username}`);
    await openLive(a.page, `/chat/${b.username}`);
    const seen = uniqueText('read at once');
    await send(a.page, seen);
    await expect(b.page.getByTestId('message').filter({ hasText: seen })).toHaveCount(1);
    await expect(b.page.getByTestId('notif-badge')).toHaveCount(0);

    // B leaves the conversation: the next message notifies, and only it (the first one
    // would have been counted in the same notification: "2 messages").
    await openLive(b.page, '/');
    const away = uniqueText('while away');
    await send(a.page, away);
    await expect(b.page.getByTestId('notif-badge')).toHaveText('1');
    await openLive(b.page, '/notifications');
    const item = b.page.getByTestId('notification').filter({ hasText: a.username });
    await expect(item).toHaveCount(1);
    await expect(item).toHaveAttribute('data-kind', 'message');
    await expect(item).toContainText(`sent you a message: “${away}”`);
    await expect(item.getByRole('link', { name: 'Open chat' })).toHaveAttribute('href', `/chat/${a.username}`);

    // Reading the conversation reads its notification too: the badge goes.
    await item.getByRole('link', { name: 'Open chat' }).click();
    await expect(b.page.getByTestId('message').filter({ hasText: away })).toHaveCount(1);
    await expect(b.page.getByTestId('notif-badge')).toHaveCount(0);
  });

  test('the settings page saves which notifications to get', async ({ newUser }) => {
    const a = await newUser('a');
    await openLive(a.page, '/settings');
    const follows = a.page.getByLabel('New followers');
    await expect(follows).toBeChecked();
    await follows.uncheck();
    await a.page.getByRole('button', { name: 'Save settings', exact: true }).click();
    await expect(a.page.getByTestId('settings-saved')).toHaveText('Saved.');

    await openLive(a.page, '/settings');
    await expect(a.page.getByLabel('New followers')).not.toBeChecked();
    await expect(a.page.getByLabel('Comments on my posts')).toBeChecked();
  });
});

test.describe('presence', () => {
  test('A sees B come online and go offline on the people page', async ({ newUser }) => {
    const a = await newUser('a');
    await openLive(a.page, '/people');
    await markNeverReloaded(a.page);
    const online = a.page.getByTestId('online-list');
    await expect(online).toBeAttached();
    await expect(online).not.toContainText(a.username);

    const b = await newUser('b');
    const bOnline = online.getByTestId('online-user').filter({ hasText: b.username });
    await expect(bOnline).toHaveCount(1);

    // Closing B's only tab ends B's only connection.
    await b.page.close();
    await expect(bOnline).toHaveCount(0);
    await expectNeverReloaded(a.page);
  });

  test('a tab watches presence only while a page shows it', async ({ newUser }) => {
    const a = await newUser('a');
    const sent: string[] = [];
    const received: string[] = [];
    a.page.on('websocket', (ws) => {
      ws.on('framesent', (frame) => sent.push(String(frame.payload)));
      ws.on('framereceived', (frame) => received.push(String(frame.payload)));
    });
    const lastSent = (event: string) =>
      sent.reduce((last, frame, i) => (frame.includes(`"${event}"`) ? i : last), -1);

    await openLive(a.page, '/people');
    await expect.poll(() => lastSent('presence:watch')).toBeGreaterThanOrEqual(0);

    // Off to the feed in the app: the last component showing presence goes, and the
    // tab stops watching.
    await a.page.getByRole('link', { name: 'Feed', exact: true }).click();
    await expectPath(a.page, '/');
    await expect.poll(() => lastSent('presence:unwatch') > lastSent('presence:watch')).toBe(true);

    // B's arrival is no news to A's feed tab: B's post reaches it with nothing about B's
    // presence before it (one connection delivers in order).
    const b = await newUser('b');
    const text = uniqueText('after the unwatch');
    await createPost(b.page, text);
    await expect(postWithText(a.page, text)).toHaveCount(1);
    const presence = received.filter((f) => f.includes('"presence:changed"') && f.includes(b.username));
    expect(presence, 'presence frames reached a tab that shows none').toEqual([]);
  });

  test('the chat pages list who is online and the conversation shows a dot', async ({ newUser }) => {
    const a = await newUser('a');
    const b = await newUser('b');
    await openLive(a.page, `/chat/${b.username}`);
    await markNeverReloaded(a.page);
    await expect(a.page.locator('.chat-head').getByTestId('online-dot')).toHaveCount(1);

    await a.page.locator('a.chat-link').click();
    await expectPath(a.page, '/chat');
    const bOnline = a.page
      .getByTestId('online-list')
      .getByTestId('online-user')
      .filter({ hasText: b.username });
    await expect(bOnline).toHaveCount(1);

    await b.page.close();
    await expect(bOnline).toHaveCount(0);
    await expectNeverReloaded(a.page);
  });
});
