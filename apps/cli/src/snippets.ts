import { join } from 'node:path';

export const CLIENT_NAMES = ['claude-code', 'vscode', 'codex', 'cursor'] as const;
export type ClientName = (typeof CLIENT_NAMES)[number];

export interface ClientSetup {
  /** What the user reads above the snippet. */
  label: string;
  /** The file `connect --write` merges into, and the key path Frameport's entry sits at. */
  file: { path: string; format: 'json' | 'toml'; keyPath: [string, string] };
  entry: Record<string, string>;
  /** What is printed: a command to run, or the file's content with just this entry. */
  snippet: string;
}

export interface Places {
  cwd: string;
  home: string;
  /** Codex reads its config from $CODEX_HOME, ~/.codex by default. */
  codexHome?: string | undefined;
}

/**
 * One place that knows how each client is configured, so the banner, `connect` and README say
 * the same thing. Claude Code's file is the project-scoped `.mcp.json` (what `claude mcp add
 * --scope project` writes); VS Code's is the workspace's `.vscode/mcp.json`.
 */
export function clientSetups(mcpUrl: string, places: Places): Record<ClientName, ClientSetup> {
  const http = { type: 'http', url: mcpUrl };
  const json = (keyPath: [string, string], entry: object) =>
    JSON.stringify({ [keyPath[0]]: { [keyPath[1]]: entry } }, null, 2);
  return {
    'claude-code': {
      label: 'Claude Code (then run /mcp in Claude Code to log in)',
      file: { path: join(places.cwd, '.mcp.json'), format: 'json', keyPath: ['mcpServers', 'frameport'] },
      entry: http,
      snippet: `claude mcp add-json frameport '${JSON.stringify(http)}'`,
    },
    vscode: {
      label: 'VS Code, .vscode/mcp.json',
      file: { path: join(places.cwd, '.vscode', 'mcp.json'), format: 'json', keyPath: ['servers', 'frameport'] },
      entry: http,
      snippet: json(['servers', 'frameport'], http),
    },
    codex: {
      label: 'Codex, ~/.codex/config.toml',
      file: { path: join(places.codexHome ?? join(places.home, '.codex'), 'config.toml'), format: 'toml', keyPath: ['mcp_servers', 'frameport'] },
      // RFC 8707: the resource Codex asks a token for; the canonical MCP URL, the audience of every token.
      entry: { url: mcpUrl, oauth_resource: mcpUrl },
      snippet: `[mcp_servers.frameport]\nurl = ${JSON.stringify(mcpUrl)}\noauth_resource = ${JSON.stringify(mcpUrl)}`,
    },
    cursor: {
      label: 'Cursor, ~/.cursor/mcp.json',
      file: { path: join(places.home, '.cursor', 'mcp.json'), format: 'json', keyPath: ['mcpServers', 'frameport'] },
      entry: { url: mcpUrl },
      snippet: json(['mcpServers', 'frameport'], { url: mcpUrl }),
    },
  };
}
