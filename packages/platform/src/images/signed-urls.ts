import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 over the method, the path and the expiry, so a URL is good for exactly one resource,
 * one verb and a bounded time. Single use is enforced by the caller's state change, not here.
 */
function mac(secret: string, method: string, path: string, expires: number): string {
  return createHmac('sha256', secret).update(`${method}\n${path}\n${expires}`).digest('base64url');
}

export function signPath(secret: string, method: string, path: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `${path}?expires=${expires}&signature=${mac(secret, method, path, expires)}`;
}

export type SignatureCheck = 'valid' | 'invalid' | 'expired';

export function verifyPath(secret: string, method: string, path: string, query: { expires?: unknown; signature?: unknown }, now = Date.now()): SignatureCheck {
  const expires = Number(query.expires);
  if (!Number.isInteger(expires) || typeof query.signature !== 'string') return 'invalid';
  const expected = Buffer.from(mac(secret, method, path, expires));
  const given = Buffer.from(query.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  return expires * 1000 < now ? 'expired' : 'valid';
}
