import { signUp } from '@frameport/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../rate-limiter.ts';
import { startTestAuthServer } from '../testing.ts';
import { ACCOUNT_FAILURES } from './login-throttle.ts';

const auth = await startTestAuthServer();
afterAll(() => auth.close());
const password = 'long enough password';

/** One log-in form submission, as a browser makes it (CSRF cookie and token from the form). */
async function attempt(email: string, pass: string, base = auth.url) {
  const page = await fetch(`${base}/login`);
  const cookie = page.headers.getSetCookie()[0]!.split(';')[0]!;
  const csrf = (await page.text()).match(/name="csrf" value="([^"]+)"/)![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ csrf, email, password: pass }).toString(),
  });
  return { status: res.status, text: await res.text() };
}

describe('log-in throttle', () => {
  it(`refuses an account after ${ACCOUNT_FAILURES} wrong passwords, even the right one, and leaves other accounts alone`, async () => {
    await signUp(auth.database.db, { email: 'target@example.com', password });
    await signUp(auth.database.db, { email: 'bystander@example.com', password });
    for (let i = 0; i < ACCOUNT_FAILURES; i++) {
      const wrong = await attempt('Target@example.com', `guess number ${i}!`);
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('The email or password is incorrect.');
    }
    const locked = await attempt('target@example.com', password);
    expect(locked.status).toBe(429);
    expect(locked.text).toMatch(/Too many log-in attempts\. Try again in 1[45] minutes\./);
    expect((await attempt('bystander@example.com', password)).status).toBe(303);
  });
});

it('refuses an address that tries more log-ins a minute than AUTH_LOGIN_RATE_LIMIT allows', async () => {
  const strict = await startTestAuthServer({ env: { AUTH_LOGIN_RATE_LIMIT: '3' } });
  try {
    const accounts = ['a', 'b', 'c', 'd'].map((n) => `${n}-spray@example.com`);
    const statuses: number[] = [];
    for (const email of accounts) statuses.push((await attempt(email, 'not the password', strict.url)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  } finally {
    await strict.close();
  }
});

describe('RateLimiter', () => {
  it('keeps counting a busy key when many new keys arrive, instead of resetting everything', () => {
    const limiter = new RateLimiter(2, 60_000);
    const now = 1_000_000;
    expect(limiter.allow('victim', now)).toBe(true);
    expect(limiter.allow('victim', now)).toBe(true);
    expect(limiter.allow('victim', now)).toBe(false);
    for (let i = 0; i < 9_998; i++) limiter.allow(`noise-${i}`, now + 1);
    // The table is full: a new key evicts the oldest entry, not the whole table.
    limiter.allow('one-more', now + 2);
    expect(limiter.exhausted('noise-9997', now + 3)).toBe(false);
    expect(limiter.allow('noise-9997', now + 3)).toBe(true);
    expect(limiter.allow('noise-9997', now + 3)).toBe(false);
    // Once its window has passed, a key starts again.
    expect(limiter.allow('victim', now + 60_000)).toBe(true);
  });
});
