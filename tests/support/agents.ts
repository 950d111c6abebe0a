/**
 * Test support: the agents users connect with, driven with no person. The v1 SDK client (2025-era
 * MCP, Dynamic Client Registration), the v2 client (2026-07-28, a Client ID Metadata Document)
 * and mcp-remote (its own CLI, its browser step answered through `$BROWSER`), plus the dashboard
 * a person would use to see and revoke their connections.
 */
import { spawn } from 'node:child_process';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2, UnauthorizedError as UnauthorizedV2 } from '@modelcontextprotocol/client';
import { UnauthorizedError as UnauthorizedV1 } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CookieJar, completeAuthorization, formField, type ConsentChoice, type Person } from '../auth-flow-driver.ts';
import { MemoryOAuthProvider } from './oauth-provider.ts';

export { MemoryOAuthProvider };

const ROOT = new URL('../..', import.meta.url).pathname;

/** What an agent's HTTP traffic looked like: enough to see a 401 and an `invalid_grant`. */
export interface Exchange {
  method: string;
  url: string;
  status: number;
  /** `error` of an OAuth error response (RFC 6749 §5.2). */
  oauthError?: string;
  /** Which instance answered, when the load balancer says (X-Frameport-Upstream, deploy/nginx). */
  upstream?: string | null;
}

export function recordingFetch(log: Exchange[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    const exchange: Exchange = { method: init?.method ?? 'GET', url, status: response.status, upstream: response.headers.get('x-frameport-upstream') };
    if (response.status === 400 && url.endsWith('/oauth/token')) {
      exchange.oauthError = ((await response.clone().json()) as { error?: string }).error;
    }
    log.push(exchange);
    return response;
  };
}


/** The part of both SDK clients the tests use. */
export interface Agent {
  callTool(name: string, args?: Record<string, unknown>): Promise<{ structuredContent?: unknown; isError?: boolean; content?: unknown }>;
  close(): Promise<void>;
  log: Exchange[];
  /** The access token the agent holds now (before a revocation makes it drop it). */
  accessToken(): string | undefined;
}

export interface AgentOptions {
  mcpUrl: string;
  issuer: string;
  person: Person;
  consent: ConsentChoice;
  /** Answers an Environment elicitation with this Environment id. */
  elicitEnvironment?: () => string;
  /** Loopback port in the redirect URI (nothing needs to listen: the flow driver reads the redirect). */
  callbackPort: number;
}

/**
 * The 2025-era agent (`@modelcontextprotocol/sdk` v1): first connect gets 401, the SDK discovers,
 * registers (DCR) and asks for the browser; the person logs in and consents; the SDK redeems the
 * code and connects again.
 */
export async function connectV1(options: AgentOptions): Promise<Agent & { sessionId(): string | undefined }> {
  const log: Exchange[] = [];
  const provider = new MemoryOAuthProvider(`http://localhost:${options.callbackPort}/callback`, 'E2E v1 agent');
  const transport = () => new TransportV1(new URL(options.mcpUrl), { authProvider: provider as never, fetch: recordingFetch(log) });
  const first = transport();
  await new ClientV1({ name: 'e2e-v1', version: '1.0.0' }).connect(first).then(
    () => {
      throw new Error('connected without authorization');
    },
    (error: Error) => {
      if (!(error instanceof UnauthorizedV1)) throw error;
    },
  );
  const { callback } = await completeAuthorization(provider.authorizationUrl!, options.issuer, options.person, options.consent);
  await first.finishAuth(callback.searchParams.get('code')!);
  const client = new ClientV1({ name: 'e2e-v1', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
  if (options.elicitEnvironment) {
    const { ElicitRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { environment: options.elicitEnvironment!() } }));
  }
  const connected = transport();
  await client.connect(connected);
  return {
    log,
    callTool: (name, args = {}) => client.callTool({ name, arguments: args }) as never,
    close: () => client.close(),
    accessToken: () => provider.accessToken,
    sessionId: () => connected.sessionId,
  };
}

/** The 2026-07-28 agent (`@modelcontextprotocol/client` v2) identified by a Client ID Metadata Document URL. */
export async function connectV2(options: AgentOptions & { clientMetadataUrl?: string }): Promise<Agent> {
  const log: Exchange[] = [];
  // The metadata document lists the port-less loopback redirect; any port matches (RFC 8252 §7.3).
  const provider = new MemoryOAuthProvider(`http://127.0.0.1:${options.callbackPort}/callback`, 'E2E v2 agent', options.clientMetadataUrl);
  const transport = () => new TransportV2(new URL(options.mcpUrl), { authProvider: provider as never, fetch: recordingFetch(log) });
  const make = () => {
    const client = new ClientV2(
      { name: 'e2e-v2', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    if (options.elicitEnvironment) {
      client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { environment: options.elicitEnvironment!() } }));
    }
    return client;
  };
  const first = transport();
  await make().connect(first).then(
    () => {
      throw new Error('connected without authorization');
    },
    (error: Error) => {
      if (!(error instanceof UnauthorizedV2)) throw error;
    },
  );
  const { callback } = await completeAuthorization(provider.authorizationUrl!, options.issuer, options.person, options.consent);
  await first.finishAuth(callback.searchParams);
  const client = make();
  await client.connect(transport());
  return {
    log,
    callTool: (name, args = {}) => client.callTool({ name, arguments: args }) as never,
    close: () => client.close(),
    accessToken: () => provider.accessToken,
  };
}

/** The `$BROWSER` program for CLI agents: headless Chromium through log-in and consent. */
export async function browserScript(dir: string, logFile: string): Promise<string> {
  const path = join(dir, 'browser.sh');
  await writeFile(
    path,
    `#!/bin/sh\nexec "${join(ROOT, 'node_modules/.bin/tsx')}" "${join(ROOT, 'tests/support/browser-login.ts')}" "$1" >>"${logFile}" 2>&1\n`,
  );
  await chmod(path, 0o755);
  return path;
}

const MCP_REMOTE = join(ROOT, 'node_modules/mcp-remote/dist');

export interface McpRemoteOptions {
  mcpUrl: string;
  /** MCP_REMOTE_CONFIG_DIR: where mcp-remote keeps its registration and tokens. */
  configDir: string;
  callbackPort: number;
  env: Record<string, string>;
}

/** `mcp-remote-client <url> <port> --allow-http`: authorizes, lists tools, exits. */
export function runMcpRemoteClient(options: McpRemoteOptions, timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(MCP_REMOTE, 'client.js'), options.mcpUrl, String(options.callbackPort), '--allow-http'], {
      cwd: ROOT,
      env: { ...process.env, ...options.env, MCP_REMOTE_CONFIG_DIR: options.configDir },
      // Its stdin stays open: mcp-remote shuts down when stdin ends.
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mcp-remote-client did not finish in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * `mcp-remote <url> <port> --allow-http` as a stdio MCP server, the way desktop agents run it,
 * reusing the tokens mcp-remote-client stored. Our side of the pipe is the v1 SDK client.
 */
export async function connectMcpRemoteProxy(options: McpRemoteOptions): Promise<Agent & { stderr(): string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(MCP_REMOTE, 'proxy.js'), options.mcpUrl, String(options.callbackPort), '--allow-http'],
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), ...options.env, MCP_REMOTE_CONFIG_DIR: options.configDir },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new ClientV1({ name: 'e2e-desktop-agent', version: '1.0.0' });
  await client.connect(transport);
  return {
    log: [],
    stderr: () => stderr,
    callTool: (name, args = {}) => client.callTool({ name, arguments: args }) as never,
    close: () => client.close(),
    accessToken: () => undefined,
  };
}

/** The registration and tokens mcp-remote keeps under its config dir. */
export async function mcpRemoteState(configDir: string): Promise<{ clientId: string; accessToken: string; refreshToken: string }> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(dir, entry.name));
      else files.push(join(dir, entry.name));
    }
  };
  await walk(configDir);
  const read = async (suffix: string) => JSON.parse(await readFile(files.find((f) => f.endsWith(suffix))!, 'utf8')) as Record<string, string>;
  const tokens = await read('_tokens.json');
  const client = await read('_client_info.json');
  return { clientId: client.client_id!, accessToken: tokens.access_token!, refreshToken: tokens.refresh_token! };
}

/** A person signed in to the dashboard, over HTTP with a cookie jar. */
export class Dashboard {
  private readonly base: string;
  private readonly jar: CookieJar;

  private constructor(base: string, jar: CookieJar) {
    this.base = base;
    this.jar = jar;
  }

  /** Logs in, or with `signUp` creates the account first (its own organization and Environments). */
  static async logIn(base: string, person: Person): Promise<Dashboard> {
    const jar = new CookieJar();
    const mode = person.signUp ? 'signup' : 'login';
    const page = await (await jar.fetch(`${base}/${mode}`)).text();
    const posted = await jar.fetch(`${base}/${mode}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: formField(page, 'csrf')!, email: person.email, password: person.password }).toString(),
    });
    if (posted.status !== 303) throw new Error(`dashboard ${mode} answered ${posted.status}: ${await posted.text()}`);
    return new Dashboard(base, jar);
  }

  async connectionsPage(): Promise<string> {
    const response = await this.jar.fetch(`${this.base}/dashboard/connections`);
    if (response.status !== 200) throw new Error(`connections page answered ${response.status}`);
    return response.text();
  }

  /** The row of one connection as the page shows it (client name, kind, Environment), or undefined. */
  async row(connectionId: string): Promise<string | undefined> {
    const page = await this.connectionsPage();
    return page.match(new RegExp(`<tr data-connection-id="${connectionId}">([\\s\\S]*?)</tr>`))?.[1];
  }

  /** Presses Revoke on the connection's row; returns the page the person lands on. */
  async revoke(connectionId: string): Promise<string> {
    const page = await this.connectionsPage();
    const posted = await this.jar.fetch(`${this.base}/dashboard/connections/${connectionId}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: formField(page, 'csrf')!, action: 'revoke' }).toString(),
    });
    if (posted.status !== 303) throw new Error(`revoke answered ${posted.status}: ${await posted.text()}`);
    return (await this.jar.fetch(new URL(posted.headers.get('location')!, this.base))).text();
  }
}

/** The demo login the launcher prints (README: "Demo login" and "Password"). */
export function demoLogin(banner: string): Person {
  const email = banner.match(/Demo login\s+(\S+)/)?.[1];
  const password = banner.match(/Password\s+(\S+)\s+\(generated/)?.[1] ?? banner.match(/Password\s+(.+)\n/)?.[1];
  if (!email || !password) throw new Error(`no demo login in:\n${banner}`);
  return { email, password };
}
