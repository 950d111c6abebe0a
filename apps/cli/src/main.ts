#!/usr/bin/env node
import { ConfigError } from '@frameport/http-kit';
import { loadAuthConfig } from '@frameport/auth';
import { banner, startFrameport } from './start.ts';

const USAGE = `Usage: frameport <command>

Commands:
  start     Start every Frameport app in one process (embedded defaults)
  help      Show this help`;

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

const [command = 'start'] = process.argv.slice(2);
try {
  if (command === 'start') await start();
  else if (command === 'help' || command === '--help' || command === '-h') console.log(USAGE);
  else {
    console.error(`Unknown command "${command}".\n\n${USAGE}`);
    process.exitCode = 2;
  }
} catch (error) {
  // Configuration and port problems are the user's to fix: say what, without a stack trace.
  const expected = error instanceof ConfigError || (error instanceof Error && /already in use/.test(error.message));
  console.error(expected ? (error as Error).message : error);
  process.exit(1);
}
