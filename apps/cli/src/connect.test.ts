import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { writeClientConfig } from './connect.ts';
import { clientSetups } from './snippets.ts';

const MCP = 'http://localhost:4001/mcp';

async function places() {
  const root = await mkdtemp(join(tmpdir(), 'frameport-connect-'));
  return { cwd: join(root, 'project'), home: join(root, 'home') };
}

describe('frameport connect --write', () => {
  it('creates each client file with just the frameport entry when there is none', async () => {
    const p = await places();
    const setups = clientSetups(MCP, p);
    for (const setup of Object.values(setups)) {
      expect(await writeClientConfig(setup)).toEqual({ path: setup.file.path, outcome: 'created' });
    }
    expect(JSON.parse(await readFile(join(p.cwd, '.mcp.json'), 'utf8'))).toEqual({ mcpServers: { frameport: { type: 'http', url: MCP } } });
    expect(JSON.parse(await readFile(join(p.cwd, '.vscode', 'mcp.json'), 'utf8'))).toEqual({ servers: { frameport: { type: 'http', url: MCP } } });
    expect(JSON.parse(await readFile(join(p.home, '.cursor', 'mcp.json'), 'utf8'))).toEqual({ mcpServers: { frameport: { url: MCP } } });
    expect(parseToml(await readFile(join(p.home, '.codex', 'config.toml'), 'utf8'))).toEqual({
      mcp_servers: { frameport: { url: MCP, oauth_resource: MCP } },
    });
  });

  it('adds to a VS Code mcp.json with comments and other servers, leaving them as they were', async () => {
    const p = await places();
    const setup = clientSetups(MCP, p).vscode;
    await mkdir(join(p.cwd, '.vscode'), { recursive: true });
    const original = `{
  // my servers
  "servers": {
    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" },
  },
  "inputs": []
}
`;
    await writeFile(setup.file.path, original);
    expect((await writeClientConfig(setup)).outcome).toBe('added');
    const text = await readFile(setup.file.path, 'utf8');
    expect(text).toContain('// my servers');
    expect(parseJsonc(text)).toEqual({
      servers: { github: { type: 'http', url: 'https://api.githubcopilot.com/mcp/' }, frameport: { type: 'http', url: MCP } },
      inputs: [],
    });
    expect((await writeClientConfig(setup)).outcome).toBe('unchanged');
    const moved = clientSetups('https://frameport.example.com/mcp', p).vscode;
    expect((await writeClientConfig(moved)).outcome).toBe('updated');
    expect(parseJsonc(await readFile(setup.file.path, 'utf8')).servers.frameport.url).toBe('https://frameport.example.com/mcp');
  });

  it("updates Codex's table in place, keeping the user's other keys, sub-tables and servers", async () => {
    const p = await places();
    const setup = clientSetups(MCP, p).codex;
    await mkdir(join(p.home, '.codex'), { recursive: true });
    await writeFile(
      setup.file.path,
      `model = "gpt-5"  # chosen

[mcp_servers.frameport]
url = "http://old.example/mcp"
startup_timeout_sec = 30

[mcp_servers.frameport.env]
DEBUG = "1"

[mcp_servers.other]
command = "other-mcp"
`,
    );
    expect((await writeClientConfig(setup)).outcome).toBe('updated');
    const text = await readFile(setup.file.path, 'utf8');
    expect(text).toContain('# chosen');
    expect(parseToml(text)).toEqual({
      model: 'gpt-5',
      mcp_servers: {
        frameport: { url: MCP, oauth_resource: MCP, startup_timeout_sec: 30, env: { DEBUG: '1' } },
        other: { command: 'other-mcp' },
      },
    });
  });

  it('leaves a file it cannot parse untouched and says so', async () => {
    const p = await places();
    const cursor = clientSetups(MCP, p).cursor;
    await mkdir(join(p.home, '.cursor'), { recursive: true });
    await writeFile(cursor.file.path, '{"mcpServers": {');
    await expect(writeClientConfig(cursor)).rejects.toThrow(/is not valid JSON .* left unchanged/);
    expect(await readFile(cursor.file.path, 'utf8')).toBe('{"mcpServers": {');

    const codex = clientSetups(MCP, p).codex;
    await mkdir(join(p.home, '.codex'), { recursive: true });
    await writeFile(codex.file.path, 'model = ');
    await expect(writeClientConfig(codex)).rejects.toThrow(/is not valid TOML .* left unchanged/);
    // An inline-table definition is valid TOML but not one this command edits: refused, untouched.
    const inline = '[mcp_servers]\nframeport = { url = "http://old/mcp" }\n';
    await writeFile(codex.file.path, inline);
    await expect(writeClientConfig(codex)).rejects.toThrow(/cannot edit safely/);
    expect(await readFile(codex.file.path, 'utf8')).toBe(inline);
  });

  it('runs as `pnpm frameport connect` from the folder the user is in', async () => {
    const p = await places();
    await mkdir(p.cwd, { recursive: true });
    const repo = new URL('../../..', import.meta.url).pathname;
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn('pnpm', ['--silent', '--dir', repo, 'frameport', ...args], { cwd: p.cwd, env: { ...process.env, HOME: p.home } });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code, out }));
      });
    const printed = await run(['connect', 'codex']);
    expect(printed.code).toBe(0);
    expect(printed.out).toContain(`[mcp_servers.frameport]\nurl = "${MCP}"`);
    const written = await run(['connect', 'claude-code', '--write']);
    expect(written.code).toBe(0);
    expect(written.out).toContain(`Created ${join(p.cwd, '.mcp.json')}`);
    expect(JSON.parse(await readFile(join(p.cwd, '.mcp.json'), 'utf8')).mcpServers.frameport.url).toBe(MCP);
    const wrong = await run(['connect', 'emacs']);
    expect(wrong.code).toBe(2);
    expect(wrong.out).toContain('Name a client: claude-code, vscode, codex, cursor.');
  });
});
