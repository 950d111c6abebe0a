/**
 * Test support: a person's browser, reduced to HTTP. Follows the authorization server's redirects
 * with a cookie jar, fills the log-in (or sign-up) and consent forms by their stable names, and
 * returns the redirect back to the client's callback.
 */
import { createHash, randomBytes } from 'node:crypto';

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()) || attrs.some((a) => /^\s*max-age=0/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header();
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(response);
    return response;
  }
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface Person {
  email: string;
  password: string;
  /** Sign up from the log-in page instead of logging in. */
  signUp?: boolean;
}

export interface ConsentChoice {
  /** `'first'` picks the first Environment offered, `''` is "choose when first needed". */
  environment?: 'first' | '' | string;
  write?: boolean;
  decision?: 'allow' | 'deny';
  /** Drop the CSRF field from the consent form (to prove it is refused). */
  withoutCsrf?: boolean;
}

export function formField(html: string, name: string): string | undefined {
  return html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];
}

export function formAction(html: string): string {
  const action = html.match(/<form method="post" action="(\/interaction\/[^"]+)"/)?.[1];
  if (!action) throw new Error(`no interaction form in page:\n${html.slice(0, 2000)}`);
  return action;
}

const form = (fields: [string, string][]) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

export interface AuthorizationOutcome {
  /** Where the server finally sent the browser (the client's redirect URI with code or error). */
  callback: URL;
  /** The last page rendered before it, for assertions about what the person saw. */
  pages: string[];
}

/**
 * Runs the browser side of an authorization request to completion. `issuer` tells the server's own
 * pages apart from the client's callback.
 */
export async function completeAuthorization(
  authorizeUrl: string | URL,
  issuer: string,
  person: Person,
  choice: ConsentChoice = {},
  jar = new CookieJar(),
): Promise<AuthorizationOutcome> {
  let url = new URL(authorizeUrl);
  const pages: string[] = [];
  for (let step = 0; step < 20; step++) {
    const response = await jar.fetch(url);
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location')!, url);
      if (next.origin !== new URL(issuer).origin) return { callback: next, pages };
      url = next;
      continue;
    }
    const page = await response.text();
    pages.push(page);
    if (response.status !== 200) throw new Error(`unexpected ${response.status} at ${url}:\n${page.slice(0, 1500)}`);
    const action = formAction(page);
    // Only the interaction form's fields (the header's log-out form has its own).
    const formHtml = page.slice(page.indexOf(`action="${action}"`));
    let posted: Response;
    if (action.endsWith('/login')) {
      if (person.signUp) {
        url = new URL(action.replace(/\/login$/, '/signup'), url);
        const signUpPage = await (await jar.fetch(url)).text();
        const signUpForm = signUpPage.slice(signUpPage.indexOf('<form method="post" action="/interaction'));
        posted = await jar.fetch(new URL(formAction(signUpPage), url), form([
          ['csrf', formField(signUpForm, 'csrf')!],
          ['email', person.email],
          ['password', person.password],
        ]));
      } else {
        posted = await jar.fetch(new URL(action, url), form([
          ['csrf', formField(formHtml, 'csrf')!],
          ['email', person.email],
          ['password', person.password],
        ]));
      }
    } else if (action.endsWith('/consent')) {
      const environments = [...page.matchAll(/<option value="(env_[a-z0-9]+)">/g)].map((m) => m[1]!);
      const environment = choice.environment === 'first' ? environments[0]! : (choice.environment ?? '');
      const fields: [string, string][] = [
        ['organization_id', formField(formHtml, 'organization_id') ?? ''],
        ['environment_id', environment],
        ['scope', 'images:read'],
      ];
      if (!choice.withoutCsrf) fields.push(['csrf', formField(formHtml, 'csrf')!]);
      if (choice.write !== false) fields.push(['scope', 'images:write']);
      fields.push(['decision', choice.decision ?? 'allow']);
      posted = await jar.fetch(new URL(action, url), form(fields));
    } else {
      throw new Error(`unknown form ${action}`);
    }
    if (posted.status !== 303) {
      const body = await posted.text();
      pages.push(body);
      throw Object.assign(new Error(`form post answered ${posted.status}`), { status: posted.status, body });
    }
    url = new URL(posted.headers.get('location')!, url);
    if (url.origin !== new URL(issuer).origin) return { callback: url, pages };
  }
  throw new Error('authorization did not finish in 20 steps');
}
