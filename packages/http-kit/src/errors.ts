import { isPlatformError, type PlatformErrorCode } from '@frameport/platform';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const STATUS: Record<PlatformErrorCode, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  limit_exceeded: 429,
  unprocessable: 422,
};

export function statusForPlatformError(code: PlatformErrorCode): number {
  return STATUS[code];
}

/**
 * The one place JSON errors are written: expected errors keep their message, everything else
 * becomes a generic 500 that is logged once with its detail. Never a stack trace or SQL on the
 * wire. Routes that speak another protocol (OAuth, JSON-RPC) format their own errors.
 */
export const jsonErrors = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (isPlatformError(error)) {
        return reply
          .code(STATUS[error.code])
          .send({ error: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) });
      }
      if (error.validation) {
        return reply.code(400).send({ error: 'invalid_input', message: error.message });
      }
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status < 500) {
        // Fastify's own client errors (bad JSON, body too large, unsupported media type) are safe to show.
        return reply.code(status).send({ error: error.code ?? 'bad_request', message: error.message });
      }
      request.log.error({ err: error }, 'unexpected error');
      return reply.code(500).send({ error: 'internal_error', message: 'Something went wrong on our side. Try again later.' });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}.` }),
    );
  },
  { name: 'frameport-json-errors' },
);
