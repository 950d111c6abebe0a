import { getConnectionForUser, getUser, listEnvironments, listOrganizationsForUser } from '@frameport/platform';
import { z } from 'zod';
import { defineTool, SCOPES, ToolError } from '../define-tool.ts';

const environmentShape = z.object({
  id: z.string().describe('Environment id (env_…).'),
  slug: z.string().describe('Short name, e.g. development.'),
  name: z.string().describe('Display name.'),
});

export default defineTool(
  {
    name: 'whoami',
    title: 'Who am I',
    description:
      'Shows who this connection acts for: the user, the organization and their role in it, the organization\'s Environments, ' +
      'the Environment this connection is linked to (or null), the connection and its client, and the granted scopes. ' +
      'Call it first when unsure which Environment image tools will act in; to change the linked Environment, ' +
      'send the user to the dashboard link it returns.',
    input: z.object({}),
    output: z.object({
      user: z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }),
      organization: z.object({ id: z.string(), name: z.string() }),
      role: z.enum(['OWNER', 'ADMIN', 'DEVELOPER']),
      environments: z.array(environmentShape),
      linkedEnvironment: environmentShape.nullable(),
      connection: z.object({ id: z.string(), createdAt: z.string(), dashboardUrl: z.string() }),
      client: z.object({ id: z.string(), name: z.string(), kind: z.enum(['dcr', 'cimd']) }),
      scopes: z.array(z.string()),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScope: SCOPES.read,
    needsEnvironment: false,
    render: (o) =>
      `${o.user.email} (${o.role}) in ${o.organization.name}; linked Environment: ` +
      `${o.linkedEnvironment ? `${o.linkedEnvironment.name} (${o.linkedEnvironment.id})` : 'none'}; ` +
      `Environments: ${o.environments.map((e) => `${e.name} (${e.id})`).join(', ')}; client ${o.client.name}; scopes: ${o.scopes.join(' ')}.`,
  },
  async (_args, ctx) => {
    const { db, urls } = ctx.services;
    const { userId, organizationId, connectionId } = ctx.principal;
    const [user, memberships, connection] = await Promise.all([
      getUser(db, userId),
      listOrganizationsForUser(db, { userId }),
      getConnectionForUser(db, { userId, connectionId }),
    ]);
    const membership = memberships.find((m) => m.organization.id === organizationId);
    if (!user || !membership) throw new ToolError('This connection no longer belongs to a member of its organization. Reconnect.');
    const environments = await listEnvironments(db, { userId, organizationId });
    const pick = ({ id, slug, name }: { id: string; slug: string; name: string }) => ({ id, slug, name });
    const linked = environments.find((e) => e.id === connection.environmentId);
    return {
      user: { id: user.id, email: user.email, name: user.name },
      organization: { id: membership.organization.id, name: membership.organization.name },
      role: membership.role,
      environments: environments.map(pick),
      linkedEnvironment: linked ? pick(linked) : null,
      connection: { id: connection.id, createdAt: connection.createdAt.toISOString(), dashboardUrl: `${urls.dashboard}/connections` },
      client: { id: connection.clientId, name: connection.clientName, kind: connection.clientKind },
      scopes: [...connection.scopes],
    };
  },
);
