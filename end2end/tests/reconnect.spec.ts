// The browser's Socket.IO client after its server dies: it reconnects with backoff,
// shows it in the page, and keeps its listeners (live posts arrive again), all without
// a reload; and when what it missed is older than the catch-up window, the page reloads
// its data instead. These tests run their own servers so they can kill and restart them.

import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { BrowserContext, Page } from '@playwright/test';
import { spawnServer, stopProcess, waitForListening } from '../global-setup';
import { createPost, expect, expectOnFeed, postWithText, signUp, test, uniqueName, uniqueText } from './support';

async function killHard(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  server.kill('SIGKILL');
  await exited;
}

test('the live connection comes back after the server restarts, listeners intact', async ({ browser }) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'e2e-restart-'));
  const databaseUrl = `sqlite://${path.join(dataDir, 'restart.db')}`;
  const log = createWriteStream(path.join(dataDir, 'server.log'));
  let server = spawnServer('127.0.0.1:0', databaseUrl);
  const contexts: BrowserContext[] = [];
  try {
    const baseURL = await waitForListening(server, log);
    const port = new URL(baseURL).port;
    const users: { page: Page; name: string }[] = [];
    for (const prefix of ['a', 'b']) {
      const context = await browser.newContext({ baseURL });
      contexts.push(context);
      const page = await context.newPage();
      const name = uniqueName(prefix);
      await signUp(page, name, `${name}@example.com`);
      await expectOnFeed(page, name);
      await page.evaluate(() => {
        (window as unknown as { __marker?: string }).__marker = 'never reloaded';
      });
      users.push({ page, name });
    }
    const [a, b] = users;

    await killHard(server);
    for (const { page } of users) {
      await expect(page.locator('html')).not.toHaveAttribute('data-socket', 'connected');
      await expect(page.getByTestId('conn-status')).not.toHaveText('Live');
    }

    server = spawnServer(`127.0.0.1:${port}`, databaseUrl);
    await waitForListening(server, log);
    for (const { page } of users) {
      // Backoff is 1 s doubling to 5 s, with jitter: well within this bound.
      await expect(page.locator('html')).toHaveAttribute('data-socket', 'connected', { timeout: 20_000 });
      await expect(page.getByTestId('conn-status')).toHaveText('Live');
    }

    const text = uniqueText('after the restart');
    await createPost(b.page, text);
    await expect(postWithText(a.page, text)).toHaveCount(1);
    for (const { page } of users) {
      expect(await page.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe('never reloaded');
    }
  } finally {
    for (const context of contexts) await context.close();
    await stopProcess(server);
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('after a gap longer than the catch-up window the feed reloads its data, not the page', async ({ browser }) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'e2e-window-'));
  const databaseUrl = `sqlite://${path.join(dataDir, 'window.db')}`;
  const log = createWriteStream(path.join(dataDir, 'server.log'));
  const env = { CATCHUP_WINDOW_SECS: '1', HEARTBEAT_INTERVAL_MS: '300' };
  let server = spawnServer('127.0.0.1:0', databaseUrl, env);
  let elsewhere: ChildProcess | undefined;
  const contexts: BrowserContext[] = [];
  try {
    const baseURL = await waitForListening(server, log);
    const port = new URL(baseURL).port;
    const users: { context: BrowserContext; page: Page; name: string }[] = [];
    for (const prefix of ['a', 'b']) {
      const context = await browser.newContext({ baseURL });
      contexts.push(context);
      const page = await context.newPage();
      const name = uniqueName(prefix);
      await signUp(page, name, `${name}@example.com`);
      await expectOnFeed(page, name);
      users.push({ context, page, name });
    }
    const [a, b] = users;
    await b.page.evaluate(() => {
      (window as unknown as { __marker?: string }).__marker = 'never reloaded';
    });

    // B's server goes away. Meanwhile A posts through another instance on the same
    // database, and the post ages past the 1 s window: no catch-up can replay it.
    await killHard(server);
    await expect(b.page.locator('html')).not.toHaveAttribute('data-socket', 'connected');
    elsewhere = spawnServer('127.0.0.1:0', databaseUrl, env);
    const otherURL = await waitForListening(elsewhere, log);
    const text = uniqueText('posted while B was away');
    const posted = await a.context.request.post(`${otherURL}/api/v1/posts`, { data: { text, privacy: 'public' } });
    expect(posted.status()).toBe(201);
    // Here the wait is the point: the gap has to outlast the window.
    await b.page.waitForTimeout(1_500);
    await stopProcess(elsewhere);

    server = spawnServer(`127.0.0.1:${port}`, databaseUrl, env);
    await waitForListening(server, log);
    await expect(b.page.locator('html')).toHaveAttribute('data-socket', 'connected', { timeout: 20_000 });
    // The catch-up answer is "reload": the feed refetches and shows the post.
    await expect(postWithText(b.page, text)).toHaveCount(1);
    expect(await b.page.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe('never reloaded');
  } finally {
    for (const context of contexts) await context.close();
    if (elsewhere) await stopProcess(elsewhere);
    await stopProcess(server);
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
