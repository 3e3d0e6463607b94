import {
  PASSWORD,
  createPost,
  expect,
  expectOnFeed,
  expectPath,
  feedPosts,
  field,
  postWithId,
  postWithText,
  signIn,
  test,
  uniqueText,
  waitHydrated,
} from './support';

test.describe('feed', () => {
  test('a signed-out visitor is sent to the sign-in page, which opens no live connection', async ({ page }) => {
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto('/');

    await expectPath(page, '/signin');
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    await waitHydrated(page);
    // The page knows nobody is signed in: no connection for the server to refuse.
    await expect(page.locator('html')).toHaveAttribute('data-socket', 'unauthorized');
    expect(sockets).toEqual([]);
  });

  test('the feed HTML already contains the posts before any script runs', async ({ browser, baseURL, newUser }) => {
    const a = await newUser('a');
    const text = uniqueText('rendered on the server');
    await createPost(a.page, text);

    const noScript = await browser.newContext({
      baseURL,
      javaScriptEnabled: false,
      storageState: await a.context.storageState(),
    });
    try {
      const page = await noScript.newPage();
      const response = await page.goto('/');

      expect(response?.status()).toBe(200);
      await expectPath(page, '/');
      expect(await response?.text()).toContain(text);
      expect(await page.content()).toContain(text);
      await expect(postWithText(page, text)).toBeVisible();
      await expect(page.locator('html')).not.toHaveAttribute('data-hydrated', 'true');
    } finally {
      await noScript.close();
    }
  });

  test('the feed downloads only the main bundle, nothing fails; another page fetches its own chunk', async ({
    browser,
    baseURL,
    newUser,
  }) => {
    const a = await newUser('a');
    const fresh = await browser.newContext({ baseURL, storageState: await a.context.storageState() });
    try {
      const page = await fresh.newPage();
      const wasm: string[] = [];
      const failed: string[] = [];
      page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (path.endsWith('.wasm')) wasm.push(path.split('/').pop() ?? path);
      });
      page.on('response', (r) => {
        if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
      });
      page.on('requestfailed', (r) => failed.push(`${r.failure()?.errorText} ${r.url()}`));

      await page.goto('/');
      await expectOnFeed(page, a.username);
      await page.waitForLoadState('load');
      expect(wasm).toEqual(['app.wasm']);
      // The site declares its icon inline: no request for a `/favicon.ico` that is not there.
      await expect(page.locator('link[rel="icon"]')).toHaveAttribute('href', /^data:image\/svg\+xml,/);
      expect(failed).toEqual([]);

      await page.getByRole('link', { name: 'People', exact: true }).click();
      await expectPath(page, '/people');
      await expect(page).toHaveTitle('People · Chatty');
      await expect(page.getByRole('heading', { name: 'Everyone' })).toBeVisible();
      expect(wasm.some((name) => name.startsWith('split_'))).toBe(true);
      expect(failed).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  test('a post, its edit and its deletion reach another user live', async ({ newUser }) => {
    const a = await newUser('a');
    const b = await newUser('b');
    await b.page.evaluate(() => {
      (window as unknown as { __marker?: string }).__marker = 'never reloaded';
    });
    const text = uniqueText('hello live');

    const id = await createPost(a.page, text);

    const seenByB = postWithId(b.page, id);
    await expect(seenByB.getByTestId('post-text')).toHaveText(text);
    await expect(feedPosts(b.page).first()).toHaveAttribute('data-post-id', id);
    await expect(seenByB.getByRole('button', { name: 'Edit post' })).toHaveCount(0);
    await expect(seenByB.getByRole('button', { name: 'Delete post' })).toHaveCount(0);

    const edited = uniqueText('edited live');
    const mine = postWithId(a.page, id);
    await mine.getByRole('button', { name: 'Edit post', exact: true }).click();
    await field(a.page, 'Edit text').fill(edited);
    await a.page.getByRole('button', { name: 'Save', exact: true }).click();

    await expect(mine.getByTestId('post-text')).toHaveText(edited);
    await expect(seenByB.getByTestId('post-text')).toHaveText(edited);

    // A confirmation dialog, if the UI asks for one, is accepted.
    a.page.on('dialog', (dialog) => dialog.accept());
    await mine.getByRole('button', { name: 'Delete post', exact: true }).click();

    await expect(mine).toHaveCount(0);
    await expect(seenByB).toHaveCount(0);
    await expect(b.page.locator('html')).toHaveAttribute('data-socket', 'connected');
    expect(await b.page.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe(
      'never reloaded',
    );
  });

  test('a private post reaches no one else', async ({ newUser }) => {
    const a = await newUser('a');
    const b = await newUser('b');
    const secret = uniqueText('private note');
    const open = uniqueText('public note');

    await createPost(a.page, secret, 'private');
    await createPost(a.page, open, 'public');

    // B receives A's later public post, so anything sent before it has arrived too.
    await expect(postWithText(b.page, open)).toBeVisible();
    await expect(postWithText(a.page, secret)).toBeVisible();
    await expect(postWithText(b.page, secret)).toHaveCount(0);
    expect(await b.page.content()).not.toContain(secret);

    const rendered = await b.context.request.get('/');
    expect(rendered.ok()).toBe(true);
    const html = await rendered.text();
    expect(html).toContain(open);
    expect(html).not.toContain(secret);
  });

  test('signing out ends the session; signing in again needs the right password', async ({ newUser }) => {
    const a = await newUser('a');

    await a.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expectPath(a.page, '/signin');
    await a.page.goto('/');
    await expectPath(a.page, '/signin');

    await signIn(a.page, a.username, 'wrong password 1');
    await expect(a.page.getByRole('alert')).toBeVisible();
    await expectPath(a.page, '/signin');

    await signIn(a.page, a.email, PASSWORD);
    await expectOnFeed(a.page, a.username);
  });
});
