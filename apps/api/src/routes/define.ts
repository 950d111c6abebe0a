import { PlatformError, type EnvironmentScope } from '@frameport/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { authenticate, type Caller } from '../auth.ts';
import type { ApiServices } from '../services.ts';

/** Who may call a route: Server API Keys only, or Client Keys too (standard upload, get image). */
export type RouteAuth = 'server' | 'server-or-client';

/**
 * One REST operation as data: its zod schemas validate the request and are the same objects the
 * OpenAPI document is generated from, so the two cannot drift apart.
 */
export interface RouteDefinition<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'DELETE';
  /** fastify path syntax (`/api/v1/images/:imageId`). */
  url: string;
  operationId: string;
  summary: string;
  tag: string;
  auth: RouteAuth;
  params?: P;
  query?: Q;
  body?: B;
  status: number;
  response: z.ZodType;
  handler(input: { params: z.output<P>; query: z.output<Q>; body: z.output<B>; caller: Caller; scope: EnvironmentScope; request: FastifyRequest; reply: FastifyReply }, services: ApiServices): Promise<unknown>;
}

export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(route: RouteDefinition<P, Q, B>): RouteDefinition {
  return route as unknown as RouteDefinition;
}

function parsePart<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.join('.');
  const field = path || where;
  throw new PlatformError('invalid_input', `${field}: ${issue.message}`, { field });
}

export function registerRoutes(app: FastifyInstance, routes: RouteDefinition[], services: ApiServices): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const caller = await authenticate(request, reply, services, route.auth);
        const params = parsePart(route.params, request.params, 'params');
        const query = parsePart(route.query, request.query, 'query');
        const body = parsePart(route.body, request.body, 'body');
        const result = await route.handler(
          { params, query, body, caller, scope: caller.scope, request, reply } as never,
          services,
        );
        return reply.code(route.status).send(result);
      },
    });
  }
}
