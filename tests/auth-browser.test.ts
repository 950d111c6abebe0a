/**
 * A person in a real browser (Debian's headless Chromium through playwright-core): signs up from
 * an authorization request, consents with an Environment, then finds the connection on the
 * Authorized Connections page, rebinds it and revokes it. A screenshot of every page is written to
 * test-output/auth-browser/ for review.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { startTestAuthServer, type TestAuthServer } from '@frameport/auth/testing';
import { getConnectionByGrantId } from '@frameport/platform';
import { decodeJwt } from 'jose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pkce } from './auth-flow-driver.ts';

const SHOTS = join(process.cwd(), 'test-output', 'auth-browser', process.env.FRAMEPORT_TEST_PASS ?? 'local');

let auth: TestAuthServer;
let browser: Browser;
let callbackServer: Server;
let callbackUrl: string;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  auth = await startTestAuthServer();
  // The client's loopback redirect target (RFC 8252 §7.3), as a CLI agent would run it.
  callbackServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Agent</title><p>Authorization complete. You can close this window.</p>');
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  const address = callbackServer.address();
  callbackUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/callback`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => callbackServer?.close(resolve));
  await auth?.close();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

it('signs up, consents with an Environment, sees, rebinds and revokes the connection', async () => {
  const registration = (await (
    await fetch(`${auth.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Browser Test Agent',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    })
  ).json()) as { client_id: string };
  const { verifier, challenge } = pkce();
  const authorize = new URL(`${auth.url}/oauth/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: registration.client_id,
    redirect_uri: callbackUrl,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'browser-state',
    resource: auth.resource,
    scope: 'images:read images:write offline_access',
  })) {
    authorize.searchParams.set(k, v);
  }

  const context = await browser.newContext();
  const page = await context.newPage();

  // Log-in page, interrupting the authorization; the person has no account yet.
  await page.goto(authorize.toString());
  await expect.poll(() => page.locator('input[name=email]').count()).toBe(1);
  await shot(page, '1-login');
  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.locator('input[name=email]').fill('lin@example.com');
  await page.locator('input[name=password]').fill('a browser-typed password');
  await shot(page, '2-signup');
  await page.getByRole('button', { name: 'Sign up' }).click();

  // Consent: the client, its kind, where it returns, the scopes and the Environment picker.
  await page.locator('select[name=environment_id]').waitFor();
  const consentText = await page.locator('main').innerText();
  expect(consentText).toContain('Browser Test Agent');
  expect(consentText).toContain('registered client');
  expect(consentText).toContain(new URL(callbackUrl).host);
  expect(await page.locator('input[name=scope][value="images:write"]').isChecked()).toBe(true);
  const development = await page.locator('select[name=environment_id] option', { hasText: 'Development' }).getAttribute('value');
  await page.locator('select[name=environment_id]').selectOption(development!);
  await shot(page, '3-consent');
  await page.locator('button[name=decision][value=allow]').click();

  // The browser lands on the client's loopback callback with a code and the issuer (RFC 9207).
  await page.waitForURL((url) => url.toString().startsWith(callbackUrl));
  const callback = new URL(page.url());
  expect(callback.searchParams.get('state')).toBe('browser-state');
  expect(callback.searchParams.get('iss')).toBe(auth.url);
  const tokens = (await (
    await fetch(`${auth.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: callbackUrl,
        client_id: registration.client_id,
        code_verifier: verifier,
      }).toString(),
    })
  ).json()) as { access_token: string; refresh_token: string };
  const grantId = String(decodeJwt(tokens.access_token).gid);
  expect((await getConnectionByGrantId(auth.database.db, grantId))!.environmentId).toBe(development);

  // Authorized Connections: the row, then rebinding it to Production in place.
  await page.goto(`${auth.url}/dashboard/connections`);
  const row = page.locator('tr', { hasText: 'Browser Test Agent' });
  await expect.poll(() => row.count()).toBe(1);
  expect(await row.innerText()).toContain('Development');
  await shot(page, '4-connections');
  const production = await row.locator('select[name=environment_id] option', { hasText: 'Production' }).getAttribute('value');
  await row.locator('select[name=environment_id]').selectOption(production!);
  await row.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Environment saved').waitFor();
  await shot(page, '5-rebound');
  expect((await getConnectionByGrantId(auth.database.db, grantId))!.environmentId).toBe(production);
  expect(await page.locator('tr', { hasText: 'Browser Test Agent' }).locator('select[name=environment_id]').inputValue()).toBe(production);

  // Revoke: the row goes, and the client's next refresh is refused.
  await page.locator('tr', { hasText: 'Browser Test Agent' }).getByRole('button', { name: 'Revoke' }).click();
  await page.getByText('Connection revoked').waitFor();
  expect(await page.locator('tr', { hasText: 'Browser Test Agent' }).count()).toBe(0);
  await shot(page, '6-revoked');
  const refreshed = await fetch(`${auth.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: registration.client_id }).toString(),
  });
  expect(((await refreshed.json()) as { error: string }).error).toBe('invalid_grant');
  await context.close();
}, 60_000);
