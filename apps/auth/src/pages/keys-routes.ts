import type { Database } from '@frameport/db';
import {
  createServerKeyForDashboard,
  getMembershipRole,
  isPlatformError,
  KEY_ADMIN_ROLES,
  listEnvironments,
  listOrganizationsForUser,
  listServerKeysForDashboard,
  revokeServerKeyForDashboard,
  type User,
} from '@frameport/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderKeysPage, type EnvironmentChoice, type KeysView } from './keys-page.ts';
import { first, sendHtml, type FormBody } from './respond.ts';
import { connectionParams, formBody, keysQuery } from './route-schemas.ts';
import type { Csrf, DashboardSessions } from './session.ts';

const NOTICES: Record<string, string> = { revoked: 'Key revoked. Requests that use it are refused from now on.' };

/**
 * Server API Keys: created, listed and revoked here only. This is the page the MCP tool
 * get_server_token_dashboard_link sends the user to (`?environment=<id>`).
 */
export async function keysRoutes(app: FastifyInstance, deps: { db: Database; sessions: DashboardSessions; csrf: Csrf }): Promise<void> {
  const { db, sessions, csrf } = deps;

  /** Only Environments of organizations the user belongs to can be chosen. */
  async function choices(user: User): Promise<EnvironmentChoice[]> {
    const out: EnvironmentChoice[] = [];
    for (const { organization } of await listOrganizationsForUser(db, { userId: user.id })) {
      for (const e of await listEnvironments(db, { userId: user.id, organizationId: organization.id })) {
        out.push({ id: e.id, name: e.name, organizationId: organization.id, organizationName: organization.name });
      }
    }
    return out;
  }

  async function page(
    request: FastifyRequest,
    reply: FastifyReply,
    user: User,
    environmentId: string | undefined,
    extra: Pick<KeysView, 'created' | 'notice' | 'error'> = {},
    status = 200,
  ) {
    const environments = await choices(user);
    const selected = environments.find((e) => e.id === environmentId) ?? environments[0];
    if (!selected) return sendHtml(reply, 404, 'No Environment to manage.');
    const scope = { userId: user.id, organizationId: selected.organizationId, environmentId: selected.id };
    const role = await getMembershipRole(db, scope);
    const view: KeysView = {
      csrf: csrf.token(request, reply),
      user,
      environments,
      selected,
      keys: await listServerKeysForDashboard(db, scope),
      canManage: role !== null && (KEY_ADMIN_ROLES as readonly string[]).includes(role),
      ...extra,
    };
    if (environmentId && selected.id !== environmentId && !extra.error) view.error = 'That Environment is not one of yours; showing your first Environment instead.';
    return sendHtml(reply, status, renderKeysPage(view));
  }

  app.get('/dashboard/keys', { schema: { querystring: keysQuery } }, async (request: FastifyRequest<{ Querystring: { environment?: string; done?: string } }>, reply) => {
    const user = await sessions.user(request);
    if (!user) return reply.redirect('/login');
    return page(request, reply, user, request.query.environment, { notice: NOTICES[request.query.done ?? ''] });
  });

  const action = (kind: 'create' | 'revoke') =>
    async (request: FastifyRequest<{ Params: { id?: string }; Body: FormBody }>, reply: FastifyReply) => {
      const user = await sessions.user(request);
      if (!user) return reply.code(303).redirect('/login');
      const environmentId = first(request.body?.environment_id);
      if (!csrf.valid(request, first(request.body?.csrf))) return page(request, reply, user, environmentId, { error: 'Your form expired. Please try again.' }, 403);
      const selected = (await choices(user)).find((e) => e.id === environmentId);
      if (!selected) return page(request, reply, user, undefined, { error: 'Choose one of your Environments.' }, 404);
      const scope = { userId: user.id, organizationId: selected.organizationId, environmentId: selected.id };
      try {
        if (kind === 'create') {
          const { key, serverKey } = await createServerKeyForDashboard(db, scope, { name: first(request.body?.name) ?? '' });
          // Rendered, not redirected: the key must never travel in a URL or be stored to show later.
          return page(request, reply, user, selected.id, { created: { name: serverKey.name, key } }, 201);
        }
        await revokeServerKeyForDashboard(db, scope, request.params.id ?? '');
      } catch (error) {
        if (isPlatformError(error)) {
          const status = error.code === 'forbidden' ? 403 : error.code === 'not_found' ? 404 : 400;
          return page(request, reply, user, selected.id, { error: error.message }, status);
        }
        throw error;
      }
      return reply.code(303).redirect(`/dashboard/keys?environment=${encodeURIComponent(selected.id)}&done=revoked`);
    };
  app.post('/dashboard/keys', { schema: { body: formBody } }, action('create'));
  app.post('/dashboard/keys/:id/revoke', { schema: { params: connectionParams, body: formBody } }, action('revoke'));
}
