import { SCOPES } from '@frameport/image-tools';

/** Every scope the resource knows; the challenge asks for all of them so one login covers every tool. */
export const ALL_SCOPES = [SCOPES.read, SCOPES.write] as const;

/** RFC 9728 §3.1: the well-known URI is inserted between the host and the resource's path. */
export function protectedResourceMetadataUrl(resourceUrl: string): string {
  const url = new URL(resourceUrl);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}

const quote = (value: string) => value.replace(/[\\"]/g, (c) => `\\${c}`);

/**
 * `WWW-Authenticate: Bearer …` (RFC 6750 §3, RFC 9728 §5.1). Without credentials there is no
 * error code (RFC 6750 §3.1); `resource_metadata` and `scope` are on every challenge (INTEROP).
 */
export function bearerChallenge(options: {
  resourceMetadataUrl: string;
  scopes: readonly string[];
  error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request';
  description?: string;
}): string {
  const parts: string[] = [];
  if (options.error) parts.push(`error="${options.error}"`);
  if (options.description) parts.push(`error_description="${quote(options.description)}"`);
  parts.push(`resource_metadata="${quote(options.resourceMetadataUrl)}"`);
  parts.push(`scope="${options.scopes.join(' ')}"`);
  return `Bearer ${parts.join(', ')}`;
}
