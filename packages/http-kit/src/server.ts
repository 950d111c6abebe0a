import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';

export interface ListeningServer {
  app: FastifyInstance;
  /** The URL it answers on, with the actual port (useful when asked for port 0). */
  url: string;
  close(): Promise<void>;
}

export interface StartServerOptions<O> {
  name: string;
  plugin: (app: FastifyInstance, options: O) => Promise<void>;
  options: O;
  host: string;
  port: number;
  logLevel?: string;
  fastify?: FastifyServerOptions;
}

/** Builds a fastify instance around an app plugin (the app.ts of each app). No listen. */
export async function buildServer<O>(args: Omit<StartServerOptions<O>, 'host' | 'port'>): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: args.logLevel ?? 'info', name: args.name },
    ...args.fastify,
  });
  await app.register(args.plugin as never, args.options as never);
  await app.ready();
  return app;
}

/** Builds and listens; `close()` stops accepting, lets requests finish and runs every onClose hook. */
export async function startServer<O>(args: StartServerOptions<O>): Promise<ListeningServer> {
  const app = await buildServer(args);
  await app.listen({ host: args.host, port: args.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : args.port;
  const host = args.host === '0.0.0.0' || args.host === '::' ? 'localhost' : args.host;
  return { app, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, close: () => app.close() };
}
