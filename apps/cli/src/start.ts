import { resolve } from 'node:path';
import { apiApp, loadApiConfig } from '@frameport/api';
import { authApp, loadAuthConfig } from '@frameport/auth';
import type { DbHandle } from '@frameport/db';
import { openConfiguredDatabase, pgliteDir, startServer, type ListeningServer } from '@frameport/http-kit';
import { loadMcpConfig, mcpApp } from '@frameport/mcp';
import { ensureDemoAccount, type DemoAccount } from './demo-account.ts';
import { clientSetups } from './snippets.ts';

export interface RunningFrameport {
  urls: { auth: string; mcp: string; api: string };
  demo: DemoAccount;
  close(): Promise<void>;
}

/**
 * Every app in one process on one database: the embedded default (PGlite and local storage under
 * FRAMEPORT_DATA_DIR) unless DATABASE_URL is given. Apps added later plug in here.
 */
export async function startFrameport(env: Record<string, string | undefined>): Promise<RunningFrameport> {
  // One terminal shows all three apps: keep it to warnings unless the user asks for more.
  env = { LOG_LEVEL: 'warn', ...env };
  const configs = { auth: loadAuthConfig(env), mcp: loadMcpConfig(env), api: loadApiConfig(env) };
  const common = configs.auth;
  const database = await openConfiguredDatabase(common);
  const servers: ListeningServer[] = [];
  const close = async () => {
    await Promise.allSettled(servers.map((s) => s.close()));
    await database.close();
  };
  try {
    const demo = await ensureDemoAccount(database.db, env.FRAMEPORT_DEMO_PASSWORD || undefined);
    const start = async <C extends { host: string; port: number; logLevel: string }>(
      name: string,
      envName: string,
      plugin: (app: never, options: { config: C; database: DbHandle }) => Promise<void>,
      config: C,
    ) => {
      try {
        servers.push(
          await startServer({ name, plugin: plugin as never, options: { config, database }, host: config.host, port: config.port, logLevel: config.logLevel }),
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new Error(`Port ${config.port} is already in use (${envName}). Stop what uses it, or set ${envName} to another port.`);
        }
        throw error;
      }
    };
    await start('auth', 'AUTH_PORT', authApp, configs.auth);
    await start('mcp', 'MCP_PORT', mcpApp, configs.mcp);
    await start('api', 'API_PORT', apiApp, configs.api);
    return { urls: { auth: common.urls.auth, mcp: `${common.urls.mcp}/mcp`, api: common.urls.api }, demo, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export function banner(running: RunningFrameport, env: { databaseUrl?: string; dataDir: string }): string {
  const { urls, demo } = running;
  const storage = env.databaseUrl
    ? `PostgreSQL (DATABASE_URL)`
    : `embedded PGlite in ${resolve(pgliteDir(env.dataDir))}`;
  const password =
    demo.state === 'existing'
      ? '(the one printed at first start; set FRAMEPORT_DEMO_PASSWORD to reset it)'
      : `${demo.password}${demo.state === 'created' && !process.env.FRAMEPORT_DEMO_PASSWORD ? '   (generated: save it, it is not shown again)' : ''}`;
  const snippets = Object.values(clientSetups(urls.mcp, { cwd: process.cwd(), home: '~' }))
    .map((s) => `  ${s.label}:\n${s.snippet.replace(/^/gm, '    ')}`)
    .join('\n\n');
  return [
    '',
    `Frameport is running on ${storage}.`,
    '',
    `  Dashboard and sign-in   ${urls.auth}`,
    `  MCP server              ${urls.mcp}`,
    `  API and CDN             ${urls.api}`,
    '',
    `  Demo login              ${demo.email}`,
    `  Password                ${password}`,
    '',
    'Connect an agent (or run `pnpm frameport connect <claude-code|vscode|codex|cursor> --write`):',
    '',
    snippets,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}
