import type { IncomingMessage } from 'node:http';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import middie from '@fastify/middie';
import type { DbHandle } from '@frameport/db';
import { health, jsonErrors } from '@frameport/http-kit';
import { revokeConnectionByGrantId, touchConnectionByGrantId } from '@frameport/platform';
import type { FastifyInstance } from 'fastify';
import type { AuthConfig } from './config.ts';
import { purgeExpired } from './oauth/adapter.ts';
import { frontDoor } from './oauth/front-door.ts';
import { RateLimiter } from './rate-limiter.ts';
import { createProvider, type KoaContextWithOIDC } from './oauth/provider.ts';
import { loadAuthSecrets } from './oauth/secrets.ts';
import { dashboardRoutes } from './pages/dashboard-routes.ts';
import { keysRoutes } from './pages/keys-routes.ts';
import { interactionRoutes } from './pages/interaction-routes.ts';
import { LoginThrottle } from './pages/login-throttle.ts';
import { Csrf, DashboardSessions } from './pages/session.ts';

export interface AuthAppOptions {
  config: AuthConfig;
  database: DbHandle;
  /**
   * Test seam for Client ID Metadata Documents: the fetch the provider uses, and permission to
   * fetch from hosts that are private. Real deployments pass neither (https, public addresses).
   */
  metadataFetch?: typeof fetch;
  allowPrivateMetadataHosts?: boolean;
}

const PURGE_INTERVAL_MS = 10 * 60_000;

export async function authApp(app: FastifyInstance, options: AuthAppOptions): Promise<void> {
  const { config, database } = options;
  const db = database.db;
  await app.register(jsonErrors);
  await app.register(health, { check: () => database.ping() });
  await app.register(cookie);
  await app.register(formbody);

  const secrets = await loadAuthSecrets(db, config);
  const provider = createProvider({
    issuer: config.publicUrl,
    resource: config.mcpResource,
    db,
    secrets,
    fetch: options.metadataFetch,
    allowPrivateMetadataHosts: options.allowPrivateMetadataHosts,
    devMetadataOrigins: config.devMetadataOrigins,
  });
  // Behind a TLS-offloading proxy the provider must see https to build https URLs and set
  // secure cookies (oidc-provider docs, "Trusting TLS offloading proxies").
  provider.proxy = config.trustProxy;

  // Refresh-token replay and RFC 7009 revocation revoke the grant inside the provider: the
  // connection follows, and the resource server hears of it through the change event.
  provider.on('grant.revoked', (_ctx: KoaContextWithOIDC, grantId: string) => {
    revokeConnectionByGrantId(db, grantId).catch((err) => app.log.error({ err, grantId }, 'could not mark connection revoked'));
  });
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const { entities } = ctx.oidc;
    const grantId = entities.Grant?.jti ?? entities.RefreshToken?.grantId ?? entities.AuthorizationCode?.grantId;
    if (grantId) touchConnectionByGrantId(db, grantId).catch((err) => app.log.warn({ err, grantId }, 'could not touch connection'));
  });
  provider.on('server_error', (_ctx: KoaContextWithOIDC, err: Error) => app.log.error({ err }, 'authorization server error'));

  const secureCookies = config.publicUrl.startsWith('https:');
  const sessions = new DashboardSessions(db, { secure: secureCookies });
  const csrf = new Csrf(secrets.cookieKeys[0]!, { secure: secureCookies });

  const clientIp = (req: IncomingMessage) => {
    const forwarded = config.trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
    return forwarded || req.socket.remoteAddress || 'unknown';
  };
  await app.register(middie);
  app.use(
    frontDoor({
      provider,
      resource: config.mcpResource,
      registrationLimiter: new RateLimiter(config.registrationRateLimit, 60_000),
      clientIp,
    }),
  );

  const throttle = new LoginThrottle(clientIp, config.loginRateLimit);
  await app.register(interactionRoutes, { provider, db, sessions, csrf, resource: config.mcpResource, throttle });
  await app.register(dashboardRoutes, { db, sessions, csrf, throttle });
  await app.register(keysRoutes, { db, sessions, csrf });

  const purge = () =>
    Promise.all([purgeExpired(db), sessions.purgeExpired()]).catch((err) => app.log.warn({ err }, 'purge failed'));
  const timer = setInterval(purge, PURGE_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
