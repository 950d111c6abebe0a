#!/usr/bin/env node
import { homedir } from 'node:os';
import { loadAuthConfig } from '@frameport/auth';
import { ConfigError, openConfiguredDatabase } from '@frameport/http-kit';
import { ConnectError, writeClientConfig } from './connect.ts';
import { CLIENT_NAMES, clientSetups, type ClientName } from './snippets.ts';
import { banner, startFrameport } from './start.ts';

const USAGE = `Usage: frameport <command>

Commands:
  start                              Start every Frameport app in one process (embedded defaults)
  migrate                            Apply pending database migrations (DATABASE_URL) and exit;
                                     run once per release before starting scaled-out apps
  connect <client> [--write] [--url <mcp url>]
                                     Print the MCP configuration for a client, or with --write merge
                                     it into the client's config file, leaving other entries alone.
                                     Clients: ${CLIENT_NAMES.join(', ')}
  help                               Show this help`;

class UsageError extends Error {}

async function start() {
  const running = await startFrameport(process.env);
  const config = loadAuthConfig(process.env);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping Frameport...\n`);
    await running.close();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Only now: whoever reads the banner may press Ctrl-C at once.
  process.stdout.write(banner(running, config));
}

/** Opening the database migrates it (under an advisory lock on PostgreSQL); nothing else runs. */
async function migrate() {
  const config = loadAuthConfig(process.env);
  if (!config.databaseUrl) throw new UsageError('Set DATABASE_URL to the PostgreSQL database to migrate.');
  const database = await openConfiguredDatabase(config);
  await database.close();
  console.log('Database is up to date.');
}

async function connect(args: string[]) {
  const client = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--url');
  if (!client || !(CLIENT_NAMES as readonly string[]).includes(client)) {
    throw new UsageError(`Name a client: ${CLIENT_NAMES.join(', ')}.`);
  }
  const urlIndex = args.indexOf('--url');
  const config = loadAuthConfig(process.env);
  const mcpUrl = urlIndex === -1 ? `${config.urls.mcp}/mcp` : args[urlIndex + 1];
  if (!mcpUrl || !URL.canParse(mcpUrl)) throw new UsageError('--url needs the MCP endpoint URL, like http://localhost:4001/mcp.');
  // pnpm runs scripts from the repository root; INIT_CWD is where the user typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const setup = clientSetups(mcpUrl, { cwd, home: homedir(), codexHome: process.env.CODEX_HOME })[client as ClientName];
  if (!args.includes('--write')) {
    console.log(`${setup.label}:\n\n${setup.snippet}\n\n(--write merges it into ${setup.file.path})`);
    return;
  }
  const { path, outcome } = await writeClientConfig(setup);
  const said = {
    created: `Created ${path} with the frameport server.`,
    added: `Added the frameport server to ${path}; other entries are unchanged.`,
    updated: `Updated the frameport server in ${path}; other entries are unchanged.`,
    unchanged: `${path} already has this frameport server; nothing to change.`,
  }[outcome];
  console.log(said);
  if (client === 'claude-code') console.log('Next: start Claude Code in this folder and run /mcp to log in.');
}

const [command = 'start', ...rest] = process.argv.slice(2);
try {
  if (command === 'start') await start();
  else if (command === 'connect') await connect(rest);
  else if (command === 'migrate') await migrate();
  else if (command === 'help' || command === '--help' || command === '-h') console.log(USAGE);
  else throw new UsageError(`Unknown command "${command}".`);
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  // Configuration, port and config-file problems are the user's to fix: say what, without a stack trace.
  const expected = error instanceof ConfigError || error instanceof ConnectError || (error instanceof Error && /already in use/.test(error.message));
  console.error(expected ? (error as Error).message : error);
  process.exit(1);
}
