export type ClientName = 'claude-code' | 'vscode' | 'codex' | 'cursor';

/** Ready-to-paste client configuration for the MCP endpoint (what README's setup section shows). */
export function clientSnippets(mcpUrl: string): Record<ClientName, { where: string; text: string }> {
  const server = { type: 'http', url: mcpUrl };
  return {
    'claude-code': {
      where: 'Claude Code (then run /mcp to log in)',
      text: `claude mcp add-json frameport '${JSON.stringify(server)}'`,
    },
    vscode: {
      where: 'VS Code, .vscode/mcp.json',
      text: JSON.stringify({ servers: { frameport: server } }, null, 2),
    },
    codex: {
      where: 'Codex, ~/.codex/config.toml',
      text: `[mcp_servers.frameport]\nurl = "${mcpUrl}"\noauth_resource = "${mcpUrl}"`,
    },
    cursor: {
      where: 'Cursor, ~/.cursor/mcp.json',
      text: JSON.stringify({ mcpServers: { frameport: { url: mcpUrl } } }, null, 2),
    },
  };
}
