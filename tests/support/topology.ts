/**
 * Test support: Frameport past one machine. A PostgreSQL database, a real S3-speaking server
 * (s3rver), two instances of each app as separate processes started the way deploy/ starts them
 * (`node --import tsx apps/<app>/src/server.ts`), and Debian's nginx in front with the config the
 * repository ships (deploy/nginx/frameport.conf.template), on free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import postgres from 'postgres';
import S3rver from 's3rver';
import { freePort } from './free-port.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
export const NGINX = '/usr/sbin/nginx';

export type AppName = 'auth' | 'mcp' | 'api';

export interface Instance {
  app: AppName;
  /** `auth-1`, `mcp-2`, ...; for apps/mcp also its MCP_INSTANCE_ID. */
  name: string;
  port: number;
  child: ChildProcess;
  output(): string;
}

export interface Topology {
  urls: { auth: string; mcp: string; api: string };
  instances: Instance[];
  /** The instance behind an X-Frameport-Upstream value (`127.0.0.1:port`). */
  instanceAt(upstream: string | null | undefined): Instance | undefined;
  nginxLog(): Promise<string>;
  close(): Promise<void>;
}

/**
 * A fresh database on a PostgreSQL server: the test command's server on its PostgreSQL pass, else
 * the machine's own (always there in CI). Dropped by `close()`.
 */
export async function freshPostgresDatabase(): Promise<{ url: string; close(): Promise<void> }> {
  const serverUrl = process.env.FRAMEPORT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `frameport_topology_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async close() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** The secrets every instance of an app must share (docs/deploy.md). */
async function sharedSecrets(): Promise<Record<string, string>> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'topology-1', alg: 'ES256', use: 'sig' };
  const secret = () => randomBytes(32).toString('base64url');
  return {
    AUTH_SIGNING_KEYS: JSON.stringify({ keys: [jwk] }),
    AUTH_COOKIE_KEYS: secret(),
    MCP_REQUEST_STATE_SECRET: secret(),
    FRAMEPORT_SIGNING_SECRET: secret(),
  };
}

function run(command: string, args: string[], env: Record<string, string>): { child: ChildProcess; output(): string } {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output };
}

async function waitFor(what: string, check: () => Promise<boolean>, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not come up in ${timeoutMs} ms:\n${output()}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Fills the shipped template's ${NAME} placeholders; an unknown one is a broken template. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`deploy/nginx template needs ${name}`);
    return values[name]!;
  });
}

export async function startTopology(options: {
  dir: string;
  databaseUrl: string;
  env?: Record<string, string>;
  /** Extra variables for one instance, by name (`api-2`). */
  instanceEnv?: Record<string, Record<string, string>>;
}): Promise<Topology> {
  const { dir } = options;
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    // S3-compatible storage.
    const s3Dir = join(dir, 's3');
    await mkdir(s3Dir, { recursive: true });
    const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Dir, configureBuckets: [{ name: 'frameport' }] });
    const { port: s3Port } = await s3.run();
    cleanups.push(() => s3.close());

    const [authPublic, mcpPublic, apiPublic] = [await freePort(), await freePort(), await freePort()];
    const urls = { auth: `http://localhost:${authPublic}`, mcp: `http://localhost:${mcpPublic}/mcp`, api: `http://localhost:${apiPublic}` };
    const env: Record<string, string> = {
      ...(await sharedSecrets()),
      DATABASE_URL: options.databaseUrl,
      HOST: '127.0.0.1',
      AUTH_PUBLIC_URL: urls.auth,
      MCP_PUBLIC_URL: `http://localhost:${mcpPublic}`,
      API_PUBLIC_URL: urls.api,
      AUTH_TRUST_PROXY: 'true',
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'frameport',
      S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      LOG_LEVEL: 'info',
      ...options.env,
    };

    // Migrations once, before any instance starts (docs/deploy.md).
    const migrate = run(process.execPath, ['--import', 'tsx', 'apps/cli/src/main.ts', 'migrate'], env);
    const migrated = await new Promise<number | null>((resolve) => migrate.child.once('exit', resolve));
    if (migrated !== 0) throw new Error(`migrate failed:\n${migrate.output()}`);

    const instances: Instance[] = [];
    const startInstance = async (app: AppName, n: number) => {
      const port = await freePort();
      const name = `${app}-${n}`;
      const started = run(process.execPath, ['--import', 'tsx', `apps/${app}/src/server.ts`], {
        ...env,
        [`${app.toUpperCase()}_PORT`]: String(port),
        ...(app === 'mcp' ? { MCP_INSTANCE_ID: name } : {}),
        ...options.instanceEnv?.[name],
      });
      const instance: Instance = { app, name, port, ...started };
      instances.push(instance);
      cleanups.push(() => stop(started.child));
      await waitFor(name, async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, started.output);
    };
    // One API instance first: two job-queue (pg-boss) first starts racing on a fresh database
    // crash one of them (reported; a restart recovers). Then everything else at once.
    await startInstance('api', 1);
    await Promise.all([startInstance('auth', 1), startInstance('auth', 2), startInstance('mcp', 1), startInstance('mcp', 2), startInstance('api', 2)]);

    // nginx with the shipped config, in a prefix of its own: pid, logs and temp files stay here.
    const prefix = join(dir, 'nginx');
    await mkdir(join(prefix, 'tmp'), { recursive: true });
    const address = (name: string) => `127.0.0.1:${instances.find((i) => i.name === name)!.port}`;
    const site = fillTemplate(await readFile(join(ROOT, 'deploy/nginx/frameport.conf.template'), 'utf8'), {
      AUTH_1: address('auth-1'),
      AUTH_2: address('auth-2'),
      MCP_1: address('mcp-1'),
      MCP_2: address('mcp-2'),
      API_1: address('api-1'),
      API_2: address('api-2'),
      AUTH_LISTEN: `127.0.0.1:${authPublic}`,
      MCP_LISTEN: `127.0.0.1:${mcpPublic}`,
      API_LISTEN: `127.0.0.1:${apiPublic}`,
    });
    await writeFile(join(prefix, 'frameport.conf'), site);
    await writeFile(
      join(prefix, 'nginx.conf'),
      [
        'daemon off;',
        // As root, workers would drop to nobody, who cannot write this private prefix.
        process.getuid?.() === 0 ? 'user root;' : '',
        'worker_processes 1;',
        `pid ${prefix}/nginx.pid;`,
        `error_log ${prefix}/error.log warn;`,
        'events { worker_connections 256; }',
        'http {',
        `  access_log ${prefix}/access.log;`,
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${prefix}/tmp/${t};`),
        `  include ${prefix}/frameport.conf;`,
        '}',
        '',
      ].join('\n'),
    );
    const nginx = run(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')], {});
    cleanups.push(() => stop(nginx.child));
    const nginxOutput = () => `${nginx.output()}\n${instances.map((i) => `--- ${i.name}\n${i.output()}`).join('\n')}`;
    await waitFor('nginx', async () => (await fetch(`${urls.auth}/healthz`)).ok && (await fetch(`${urls.api}/healthz`)).ok, nginxOutput, 20_000);

    return {
      urls,
      instances,
      instanceAt: (upstream) => instances.find((i) => upstream?.split(/,\s*/).at(-1) === `127.0.0.1:${i.port}`),
      nginxLog: () => readFile(join(prefix, 'error.log'), 'utf8').catch(() => ''),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
