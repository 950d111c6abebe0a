import type { AnyToolDefinition } from './define-tool.ts';
import getServerTokenDashboardLink from './tools/get-server-token-dashboard-link.ts';
import whoami from './tools/whoami.ts';

/** Every tool the MCP server offers, one file each in ./tools. */
export const tools: readonly AnyToolDefinition[] = [whoami, getServerTokenDashboardLink];

/** The tools a connection with these scopes may see and call (a read-only connection sees no write tool). */
export function toolsForScopes(all: readonly AnyToolDefinition[], scopes: readonly string[]): AnyToolDefinition[] {
  return all.filter((t) => scopes.includes(t.requiredScope));
}
