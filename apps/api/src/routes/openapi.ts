import { z } from 'zod';
import type { RouteDefinition } from './define.ts';
import { errorSchema } from './schemas.ts';

const toSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as Record<string, unknown>;
  return rest;
};

/**
 * OpenAPI 3.1 from the route table: request parts from the same zod schemas the handlers
 * validate with (io: input), responses from the response schemas (io: output). OpenAPI 3.1's
 * schema dialect is JSON Schema 2020-12, which is what `z.toJSONSchema` emits by default.
 */
export function buildOpenApi(routes: RouteDefinition[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', route.params],
      ['query', route.query],
    ] as const) {
      if (!schema) continue;
      const json = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(json.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: property });
      }
    }
    const errors = Object.fromEntries(
      ['400', '401', '403', '404', '429'].map((code) => [code, { description: 'Error', content: { 'application/json': { schema: toSchema(errorSchema, 'output') } } }]),
    );
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      security: route.auth === 'server' ? [{ serverKey: [] }] : [{ serverKey: [] }, { clientKey: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } } : {}),
      responses: {
        [String(route.status)]: { description: 'OK', content: { 'application/json': { schema: toSchema(route.response, 'output') } } },
        ...errors,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Frameport API', version: '1.0.0', description: 'Images, uploads, bulk downloads, usage and metrics of one Environment.' },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        serverKey: { type: 'http', scheme: 'bearer', description: 'Server API Key (sk_…), created in the dashboard; scoped to one Environment.' },
        clientKey: { type: 'http', scheme: 'bearer', description: 'Publishable Client Key (ck_…): standard uploads and reading an image by id only.' },
      },
    },
    paths,
  };
}
