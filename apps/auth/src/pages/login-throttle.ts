import type { IncomingMessage } from 'node:http';
import type { Database } from '@frameport/db';
import { isPlatformError, logIn, PlatformError, type User } from '@frameport/platform';
import { RateLimiter } from '../rate-limiter.ts';

/** Failed log-ins one account may take before it is refused for the rest of the window. */
export const ACCOUNT_FAILURES = 10;
const ACCOUNT_WINDOW_MS = 15 * 60_000;
const IP_WINDOW_MS = 60_000;

/**
 * Log-in with brute-force limits: failures per account (so guessing one password is slow even
 * from many addresses) and attempts per address (so one address cannot spray many accounts).
 * Checked before the password hash runs, which also keeps a flood from burning CPU on argon2.
 */
export class LoginThrottle {
  private readonly failures = new RateLimiter(ACCOUNT_FAILURES, ACCOUNT_WINDOW_MS);
  private readonly attempts: RateLimiter;
  private readonly clientIp: (req: IncomingMessage) => string;

  /** `attemptsPerMinute`: log-in attempts one address may make per minute, whatever the accounts. */
  constructor(clientIp: (req: IncomingMessage) => string, attemptsPerMinute: number) {
    this.clientIp = clientIp;
    this.attempts = new RateLimiter(attemptsPerMinute, IP_WINDOW_MS);
  }

  async logIn(db: Database, input: { email: string; password: string }, req: IncomingMessage): Promise<User> {
    const account = input.email.trim().toLowerCase();
    const ip = this.clientIp(req);
    if (this.failures.exhausted(account)) throw tooMany(this.failures.retryAfterMs(account));
    if (!this.attempts.allow(ip)) throw tooMany(this.attempts.retryAfterMs(ip));
    try {
      return await logIn(db, input);
    } catch (error) {
      if (isPlatformError(error) && error.code === 'unauthenticated') this.failures.allow(account);
      throw error;
    }
  }
}

function tooMany(retryAfterMs: number): PlatformError {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return new PlatformError('limit_exceeded', `Too many log-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
}
