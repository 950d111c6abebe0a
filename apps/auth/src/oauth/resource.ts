/**
 * RFC 8707 resource indicators for Frameport's one resource server. Clients name it in several
 * ways (INTEROP "Authorize and token"): the configured MCP URL, the same with a trailing slash,
 * or its origin with or without a slash (Codex's `oauth_resource`, sent as a second `resource`).
 * Every alias means the canonical MCP URL, and one audience is issued.
 */
export function resourceAliases(canonical: string): Set<string> {
  const url = new URL(canonical);
  const trimmed = canonical.replace(/\/+$/, '');
  return new Set([canonical, trimmed, `${trimmed}/`, url.origin, `${url.origin}/`]);
}

/**
 * Maps every alias to the canonical URL and collapses duplicates; other values stay as sent so
 * the provider answers them with `invalid_target`.
 */
export function canonicalizeResources(values: string[], canonical: string, aliases = resourceAliases(canonical)): string[] {
  const out: string[] = [];
  for (const value of values) {
    const mapped = aliases.has(value) ? canonical : value;
    if (!out.includes(mapped)) out.push(mapped);
  }
  return out;
}

/** Rewrites the `resource` values of a URLSearchParams in place; true when anything changed. */
export function canonicalizeParams(params: URLSearchParams, canonical: string): boolean {
  const values = params.getAll('resource');
  if (values.length === 0) return false;
  const next = canonicalizeResources(values, canonical);
  if (next.length === values.length && next.every((v, i) => v === values[i])) return false;
  params.delete('resource');
  for (const v of next) params.append('resource', v);
  return true;
}
