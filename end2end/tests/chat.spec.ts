import { expect, openLive, test, uniqueText } from './support';
import type { Page } from '@playwright/test';

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Write a message').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

function message(page: Page, text: string) {
  return page.getByTestId('message').filter({ hasText: text });
}

test.describe('chat', () => {
  test('A and B chat both ways, with a typing indicator', async ({ newUser }) => {
    const a = await newUser('a');
    const b = await newUser('b');
    await openLive(a.page, `/chat/${b.username}`);
    await openLive(b.page, `/chat/${a.username}`);

    // Typing shows on the other side, and goes once the message arrives.
    await a.page.getByLabel('Write a message').fill('typing…');
    await expect(b.page.getByTestId('typing')).toHaveText(`${a.username} is typing…`);
    const hello = uniqueText('hello B');
    await send(a.page, hello);
    await expect(message(b.page, hello)).toHaveCount(1);
    await expect(b.page.getByTestId('typing')).toHaveText('');

    const reply = uniqueText('hi A');
    await send(b.page, reply);
    await expect(message(a.page, reply)).toHaveCount(1);
    await expect(message(a.page, hello)).toHaveCount(1);
    // B has read A's message while the conversation was open: A sees it.
    await expect(a.page.getByTestId('seen')).toHaveCount(1);
  });

  test("B's unread badge rises on another page and clears when the conversation opens", async ({ newUser }) => {
    const a = await newUser('a');
    const b = await newUser('b');
    await expect(b.page.getByTestId('unread-badge')).toHaveCount(0);
    await openLive(a.page, `/chat/${b.username}`);

    await send(a.page, uniqueText('one'));
    await expect(b.page.getByTestId('unread-badge')).toHaveText('1');
    await send(a.page, uniqueText('two'));
    await expect(b.page.getByTestId('unread-badge')).toHaveText('2');

    await b.page.getByRole('link', { name: /^Chat\b.*unread/ }).click();
    await expect(b.page.getByTestId('conversation').filter({ hasText: a.username })).toHaveCount(1);
    await b.page.getByTestId('conversation').filter({ hasText: a.username }).click();
    await expect(b.page.getByTestId('message')).toHaveCount(2);
    await expect(b.page.getByTestId('unread-badge')).toHaveCount(0);
  });
});
