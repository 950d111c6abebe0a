/** The resource server's scopes; `offline_access` is the OAuth one for refresh tokens. */
export const READ_SCOPE = 'images:read';
export const WRITE_SCOPE = 'images:write';
export const RESOURCE_SCOPES = [READ_SCOPE, WRITE_SCOPE] as const;
export const SUPPORTED_SCOPES = [READ_SCOPE, WRITE_SCOPE, 'offline_access'] as const;

/**
 * A request that asks for none of the resource scopes (no `scope`, or only `offline_access`) gets
 * read and write: VS Code and Cursor may omit `scope`, and that must not end in access_denied
 * (INTEROP "Scopes").
 */
export function withDefaultScopes(scope: string | null): string {
  const asked = (scope ?? '').split(' ').filter(Boolean);
  if (asked.some((s) => (RESOURCE_SCOPES as readonly string[]).includes(s))) return asked.join(' ');
  return [...RESOURCE_SCOPES, ...asked].join(' ');
}
