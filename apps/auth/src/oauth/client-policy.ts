/**
 * What Frameport accepts as client metadata, from Dynamic Client Registration (RFC 7591) and from
 * Client ID Metadata Documents alike. Pure: the provider calls it from its
 * `extraClientMetadata.validator` hook, before its own validation, and maps the result to
 * `invalid_redirect_uri` / `invalid_client_metadata`.
 */

export const MAX_REDIRECT_URIS = 10;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Schemes that can run code in the user agent or reach local files: never a redirect target. */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'vbscript:', 'data:', 'blob:', 'file:', 'about:']);

type RedirectKind = 'loopback' | 'https' | 'http-remote' | 'private-use' | 'forbidden' | 'invalid';

export function redirectKind(uri: unknown): RedirectKind {
  if (typeof uri !== 'string') return 'invalid';
  const url = URL.parse(uri);
  if (!url) return 'invalid';
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return 'forbidden';
  if (url.protocol === 'http:') return LOOPBACK_HOSTS.has(url.hostname) ? 'loopback' : 'http-remote';
  if (url.protocol === 'https:') return 'https';
  return 'private-use';
}

export class ClientPolicyError extends Error {
  readonly kind: 'redirect_uri' | 'metadata';
  constructor(kind: 'redirect_uri' | 'metadata', message: string) {
    super(message);
    this.kind = kind;
  }
}

export interface ClientMetadataLike {
  application_type?: string;
  redirect_uris?: unknown;
  software_id?: unknown;
  software_version?: unknown;
}

/**
 * Normalizes and checks the metadata in place:
 * - more than MAX_REDIRECT_URIS redirect URIs are refused;
 * - executable or file schemes are refused outright;
 * - no `application_type` (Cursor, the v1 SDK, Claude's metadata document) means `native` when the
 *   client redirects to a loopback address or a private-use scheme and never to a remote `http:`
 *   host, so any loopback port matches (RFC 8252 §7.3, §8.4); otherwise `web`;
 * - a web client's `http:` redirects must be loopback (RFC 9700 §4.1.1: no cleartext redirects).
 */
export function applyClientPolicy(metadata: ClientMetadataLike, applicationTypeGiven: boolean): void {
  const uris = Array.isArray(metadata.redirect_uris) ? metadata.redirect_uris : [];
  if (uris.length > MAX_REDIRECT_URIS) {
    throw new ClientPolicyError('redirect_uri', `redirect_uris may list at most ${MAX_REDIRECT_URIS} URIs`);
  }
  const kinds = uris.map(redirectKind);
  if (kinds.includes('forbidden')) {
    throw new ClientPolicyError('redirect_uri', 'redirect_uris must not use javascript:, data:, file: or similar schemes');
  }
  if (!applicationTypeGiven) {
    const nativeLike = kinds.some((k) => k === 'loopback' || k === 'private-use');
    metadata.application_type = nativeLike && !kinds.includes('http-remote') ? 'native' : 'web';
  }
  if (metadata.application_type === 'web' && kinds.includes('http-remote')) {
    throw new ClientPolicyError('redirect_uri', 'redirect_uris for web clients may use http: only with a loopback host');
  }
  for (const key of ['software_id', 'software_version'] as const) {
    const value = metadata[key];
    if (value !== undefined && (typeof value !== 'string' || value.length > 255)) {
      throw new ClientPolicyError('metadata', `${key} must be a string of at most 255 characters`);
    }
  }
}
