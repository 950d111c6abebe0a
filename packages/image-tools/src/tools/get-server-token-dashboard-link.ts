import { getConnectionForUser } from '@frameport/platform';
import { z } from 'zod';
import { defineTool, SCOPES } from '../define-tool.ts';

export default defineTool(
  {
    name: 'get_server_token_dashboard_link',
    title: 'Get the dashboard link for Server API Keys',
    description:
      'Returns the dashboard URL where the user creates a Server API Key (sk_…) for their backend. ' +
      'Server API Keys are secrets shown once to the user and are never available through this server: ' +
      'give the user this link and ask them to put the key in their own environment (e.g. an env variable). ' +
      'For a browser or mobile app use create_client_token instead.',
    input: z.object({}),
    output: z.object({
      url: z.string().describe('Dashboard page for Server API Keys, preselecting the linked Environment when there is one.'),
      environmentId: z.string().nullable(),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScope: SCOPES.read,
    needsEnvironment: false,
    render: (o) => `Create a Server API Key in the dashboard: ${o.url}`,
  },
  async (_args, ctx) => {
    const { userId, connectionId } = ctx.principal;
    const connection = await getConnectionForUser(ctx.services.db, { userId, connectionId });
    const url = new URL(`${ctx.services.urls.dashboard}/keys`);
    if (connection.environmentId) url.searchParams.set('environment', connection.environmentId);
    return { url: url.toString(), environmentId: connection.environmentId };
  },
);
