import type { DbHandle } from '@frameport/db';
import { health, jsonErrors } from '@frameport/http-kit';
import { createDownloadQueue, createImageContext, fetchAndProcess, purgeExpiredArchives, recoverImages } from '@frameport/platform';
import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from './config.ts';
import { accountRoutes, downloadRoutes } from './routes/account.ts';
import { registerRoutes } from './routes/define.ts';
import { deliveryRoutes } from './routes/delivery.ts';
import { imageRoutes } from './routes/images.ts';
import { buildOpenApi } from './routes/openapi.ts';
import type { ApiServices } from './services.ts';

export interface ApiAppOptions {
  config: ApiConfig;
  database: DbHandle;
}

/** Stuck records are looked for once at start, then this often. */
const RECOVERY_INTERVAL_MS = 60_000;

export const apiRoutes = [...imageRoutes, ...downloadRoutes, ...accountRoutes];

/**
 * The platform over HTTP: REST /api/v1, the CDN, the signed upload and archive targets, and the
 * background work (image recovery, download jobs), which starts when the server is ready and
 * stops in onClose, so launcher and standalone server need nothing extra.
 */
export async function apiApp(app: FastifyInstance, options: ApiAppOptions): Promise<void> {
  const { config, database } = options;
  await app.register(jsonErrors);
  await app.register(health, { check: () => database.ping() });

  const downloads = createDownloadQueue(database.db, app.log, { maintenance: config.worker });
  const ctx = { ...(await createImageContext(database.db, config, (err) => app.log.error({ err }, 'background write failed'))), downloads };
  const services: ApiServices = { config, database, ctx, downloads };

  registerRoutes(app, apiRoutes, services);
  const openapi = buildOpenApi(apiRoutes, config.publicUrl);
  app.get('/api/v1/openapi.json', async () => openapi);
  await deliveryRoutes(app, services);

  // Client Keys are used from browsers: answer CORS preflights for the two operations they may call.
  // The key (and its allowed origins) is checked on the actual request, which carries it.
  for (const url of ['/api/v1/images/uploads', '/api/v1/images/:imageId', '/api/v1/images/:imageId/complete']) {
    app.options(url, async (request, reply) =>
      reply
        .header('access-control-allow-origin', request.headers.origin ?? '*')
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600')
        .header('vary', 'Origin')
        .code(204)
        .send(),
    );
  }

  let recovery: Promise<unknown> | null = null;
  let timer: NodeJS.Timeout | undefined;
  const recover = () => {
    // One pass at a time; a pass picks up what a crash (here or in another instance) left behind
    // and removes archives whose 24 h URL has expired.
    recovery ??= recoverImages(ctx, (row) => fetchAndProcess(ctx, row))
      .then(() => purgeExpiredArchives(ctx))
      .catch((error) => app.log.error({ err: error }, 'image recovery failed'))
      .finally(() => (recovery = null));
  };
  if (config.worker) {
    app.addHook('onReady', async () => {
      await downloads.work(ctx);
      // In the background: a long backlog must not delay the server's start.
      recover();
      timer = setInterval(recover, RECOVERY_INTERVAL_MS).unref();
    });
  }
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await recovery;
    await downloads.stop();
    await ctx.deliveries.close();
  });
}
