/**
 * A person's browser for CLI agents that open the authorization URL through `$BROWSER`
 * (mcp-remote, Claude Code, Codex): given the URL, headless Chromium logs in, consents with the
 * Environment named in FRAMEPORT_E2E_ENVIRONMENT (a display name such as `Development`, or empty
 * for "Choose when first needed") and follows the redirect to the agent's loopback callback.
 *
 * Run as a script: `tsx tests/support/browser-login.ts <url>`; credentials come from
 * FRAMEPORT_E2E_EMAIL and FRAMEPORT_E2E_PASSWORD. Also importable for in-process use.
 */
import { appendFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export interface BrowserLogin {
  email: string;
  password: string;
  /** Display name of the Environment to pick, or '' for "Choose when first needed". */
  environment: string;
}

export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
};

/** Drives log-in and consent; resolves with the callback URL the browser was sent to. */
export async function logInAndConsent(url: string, login: BrowserLogin, browser?: Browser): Promise<string> {
  const own = browser ?? (await chromium.launch(CHROMIUM));
  try {
    const page = await (await own.newContext()).newPage();
    const authOrigin = new URL(url).origin;
    await page.goto(url);
    await page.locator('input[name=email]').fill(login.email);
    await page.locator('input[name=password]').fill(login.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    const picker = page.locator('select[name=environment_id]');
    await picker.waitFor();
    if (login.environment) {
      const value = await picker.locator('option', { hasText: login.environment }).getAttribute('value');
      await picker.selectOption(value!);
    } else {
      await picker.selectOption('');
    }
    await page.locator('button[name=decision][value=allow]').click();
    // The redirect leaves the authorization server for the agent's own callback page.
    await page.waitForURL((u) => u.origin !== authOrigin, { timeout: 20_000 });
    return page.url();
  } finally {
    if (!browser) await own.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const log = (line: string) => process.env.FRAMEPORT_E2E_BROWSER_LOG && appendFileSync(process.env.FRAMEPORT_E2E_BROWSER_LOG, `${line}\n`);
  const url = process.argv[2]!;
  log(`open ${url}`);
  logInAndConsent(url, {
    email: process.env.FRAMEPORT_E2E_EMAIL!,
    password: process.env.FRAMEPORT_E2E_PASSWORD!,
    environment: process.env.FRAMEPORT_E2E_ENVIRONMENT ?? '',
  }).then(
    (callback) => log(`callback ${callback}`),
    (error: unknown) => {
      log(`error ${error instanceof Error ? error.stack : String(error)}`);
      process.exitCode = 1;
    },
  );
}
