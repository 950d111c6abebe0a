import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface HealthOptions {
  /** Rejects when a dependency the app cannot serve without (the database) is unreachable. */
  check: () => Promise<void>;
}

/** `GET /healthz`: 200 `{"status":"ok"}` when the database answers, 503 otherwise (load balancers read it). */
export const health = fp(
  async (app: FastifyInstance, options: HealthOptions) => {
    app.get(
      '/healthz',
      {
        schema: {
          response: {
            200: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] },
            503: { type: 'object', properties: { status: { const: 'unavailable' } }, required: ['status'] },
          },
        },
      },
      async (request, reply) => {
        try {
          await options.check();
          return { status: 'ok' as const };
        } catch (error) {
          request.log.warn({ err: error }, 'health check failed');
          return reply.code(503).header('retry-after', '5').send({ status: 'unavailable' as const });
        }
      },
    );
  },
  { name: 'frameport-health' },
);
