import { join } from 'node:path';
import { openDatabase, type DbHandle } from '@frameport/db';
import type { FastifyInstance } from 'fastify';
import { startServer, type ListeningServer } from './server.ts';

export interface CommonConfig {
  host: string;
  port: number;
  logLevel: string;
  databaseUrl: string | undefined;
  dataDir: string;
}

/** PGlite keeps its files here when no DATABASE_URL is given. */
export function pgliteDir(dataDir: string): string {
  return join(dataDir, 'pglite');
}

export function openConfiguredDatabase(config: Pick<CommonConfig, 'databaseUrl' | 'dataDir'>): Promise<DbHandle> {
  return openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: pgliteDir(config.dataDir) });
}

/**
 * Runs one app as its own process (the production layout): database, listen, and a clean close
 * on SIGINT/SIGTERM so in-flight requests finish and connections are released.
 */
export async function runStandalone<C extends CommonConfig>(args: {
  name: string;
  config: C;
  plugin: (app: FastifyInstance, options: { config: C; database: DbHandle }) => Promise<void>;
}): Promise<ListeningServer> {
  const database = await openConfiguredDatabase(args.config);
  const server = await startServer({
    name: args.name,
    plugin: args.plugin,
    options: { config: args.config, database },
    host: args.config.host,
    port: args.config.port,
    logLevel: args.config.logLevel,
  });
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    await database.close();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  server.app.log.info(`${args.name} listening on ${server.url}`);
  return server;
}
