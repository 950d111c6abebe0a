import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { schema, type Database } from '@frameport/db';
import { getUser, type User } from '@frameport/platform';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'fp_session';
export const CSRF_COOKIE = 'fp_csrf';
const SESSION_TTL_MS = 14 * 86_400_000;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** oidc-provider's session cookie (its default `cookies.names.session`) and signature. */
const PROVIDER_SESSION_COOKIES = ['_session', '_session.sig'];

/**
 * Ends the provider's own log-in session in this browser, so the next authorization asks who is
 * there instead of resuming as the previous dashboard user.
 */
export function clearProviderSession(reply: FastifyReply): void {
  for (const name of PROVIDER_SESSION_COOKIES) reply.clearCookie(name, { path: '/' });
}

export interface CookieSettings {
  secure: boolean;
}

/**
 * Frameport's own dashboard log-in (separate from oidc-provider's session): an opaque random
 * cookie whose SHA-256 is the database key, so stored rows cannot be replayed as cookies.
 */
export class DashboardSessions {
  private readonly db: Database;
  private readonly cookies: CookieSettings;
  constructor(db: Database, cookies: CookieSettings) {
    this.db = db;
    this.cookies = cookies;
  }

  /** Also drops the provider's session: its account must follow the dashboard's. */
  async create(reply: FastifyReply, userId: string): Promise<void> {
    clearProviderSession(reply);
    const value = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await this.db.insert(schema.dashboardSessions).values({ idHash: sha256(value), userId, expiresAt });
    reply.setCookie(SESSION_COOKIE, value, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.cookies.secure,
      expires: expiresAt,
    });
  }

  async user(request: FastifyRequest): Promise<User | null> {
    const value = request.cookies[SESSION_COOKIE];
    if (!value) return null;
    const [row] = await this.db
      .select({ userId: schema.dashboardSessions.userId })
      .from(schema.dashboardSessions)
      .where(and(eq(schema.dashboardSessions.idHash, sha256(value)), gt(schema.dashboardSessions.expiresAt, new Date())));
    return row ? getUser(this.db, row.userId) : null;
  }

  async destroy(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const value = request.cookies[SESSION_COOKIE];
    if (value) await this.db.delete(schema.dashboardSessions).where(eq(schema.dashboardSessions.idHash, sha256(value)));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    clearProviderSession(reply);
  }

  async purgeExpired(now = new Date()): Promise<void> {
    await this.db.delete(schema.dashboardSessions).where(lt(schema.dashboardSessions.expiresAt, now));
  }
}

/**
 * CSRF protection for every form (OWASP "signed double-submit cookie"): a random per-browser
 * cookie, and in each form the HMAC of it under the cookie key. A cross-site form post can
 * neither read the cookie nor compute the token; SameSite=Lax is a second layer.
 */
export class Csrf {
  private readonly key: string;
  private readonly cookies: CookieSettings;
  constructor(key: string, cookies: CookieSettings) {
    this.key = key;
    this.cookies = cookies;
  }

  private sign(value: string): string {
    return createHmac('sha256', this.key).update(`csrf:${value}`).digest('base64url');
  }

  /** The token for this browser's forms, setting the cookie first when there is none. */
  token(request: FastifyRequest, reply: FastifyReply): string {
    let value = request.cookies[CSRF_COOKIE];
    if (!value || !/^[A-Za-z0-9_-]{20,100}$/.test(value)) {
      value = randomBytes(24).toString('base64url');
      reply.setCookie(CSRF_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.cookies.secure });
      request.cookies[CSRF_COOKIE] = value;
    }
    return this.sign(value);
  }

  valid(request: FastifyRequest, submitted: unknown): boolean {
    const value = request.cookies[CSRF_COOKIE];
    if (!value || typeof submitted !== 'string') return false;
    const expected = Buffer.from(this.sign(value));
    const given = Buffer.from(submitted);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
