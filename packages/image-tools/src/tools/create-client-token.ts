import { CLIENT_KEY_DEFAULT_UPLOAD_BYTES, CLIENT_KEY_MAX_UPLOAD_BYTES, CLIENT_KEY_MIN_UPLOAD_BYTES, createClientKey } from '@frameport/platform';
import { z } from 'zod';
import { defineTool, SCOPES, scopeOf } from '../define-tool.ts';

export default defineTool(
  {
    name: 'create_client_token',
    title: 'Create a publishable Client Key',
    description:
      'Creates a publishable Client Key (ck_…) for the linked Environment, meant to be embedded in browser or mobile code. ' +
      'It can only start standard uploads (POST /api/v1/images/uploads) and read images by id, from the listed origins. ' +
      'It is not a secret and is not a Server API Key: for backend code use get_server_token_dashboard_link instead. ' +
      'Put the returned key in the front-end configuration together with apiBaseUrl.',
    input: z.object({
      name: z.string().trim().min(1).max(100).describe('A name that says where the key is used, e.g. "marketing site".'),
      allowedOrigins: z
        .array(z.string().max(300))
        .max(20)
        .default([])
        .describe('Browser origins (scheme://host[:port]) allowed to use the key; empty means only non-browser callers.'),
      maximumUploadBytes: z
        .number()
        .int()
        .min(CLIENT_KEY_MIN_UPLOAD_BYTES)
        .max(CLIENT_KEY_MAX_UPLOAD_BYTES)
        .default(CLIENT_KEY_DEFAULT_UPLOAD_BYTES)
        .describe(`Largest upload the key may start, in bytes (default ${CLIENT_KEY_DEFAULT_UPLOAD_BYTES}).`),
    }),
    output: z.object({
      clientKey: z.string().describe('The publishable key (ck_…).'),
      name: z.string(),
      environmentId: z.string(),
      allowedOrigins: z.array(z.string()),
      maximumUploadBytes: z.number(),
      createdAt: z.string(),
      apiBaseUrl: z.string().describe('Base URL of the REST API the key is used with.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    requiredScope: SCOPES.write,
    needsEnvironment: true,
    render: (o) =>
      `Client Key ${o.clientKey} ("${o.name}") for Environment ${o.environmentId}; origins: ${o.allowedOrigins.join(', ') || 'none (non-browser only)'}; ` +
      `max upload ${o.maximumUploadBytes} bytes; API ${o.apiBaseUrl}.`,
  },
  async (args, ctx) => {
    const key = await createClientKey(ctx.services.db, scopeOf(ctx), args, ctx.principal.userId);
    return {
      clientKey: key.id,
      name: key.name,
      environmentId: key.environmentId,
      allowedOrigins: key.allowedOrigins,
      maximumUploadBytes: key.maximumUploadBytes,
      createdAt: key.createdAt,
      apiBaseUrl: `${ctx.services.images.apiBaseUrl}/api/v1`,
    };
  },
);
