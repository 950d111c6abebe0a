import type { Database } from '@frameport/db';
import {
  bindEnvironment,
  isPlatformError,
  listConnectionsForUser,
  listEnvironments,
  listOrganizationsForUser,
  MIN_PASSWORD_LENGTH,
  revokeConnection,
  signUp,
  type User,
} from '@frameport/platform';
import { statusForPlatformError } from '@frameport/http-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderConnectionsPage } from './connections-page.ts';
import { renderErrorPage } from './error-page.ts';
import { renderLoginPage, renderSignUpPage } from './login-page.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { first, sendHtml, type FormBody } from './respond.ts';
import { connectionParams, connectionsQuery, formBody } from './route-schemas.ts';
import type { Csrf, DashboardSessions } from './session.ts';

export interface DashboardDeps {
  db: Database;
  sessions: DashboardSessions;
  csrf: Csrf;
  throttle: LoginThrottle;
}

type Body = FormBody;

const NOTICES: Record<string, string> = {
  rebound: 'Environment saved. It applies to the connection’s next tool call.',
  revoked: 'Connection revoked. The client must authorize again to reconnect.',
};

/** Log-in and sign-up outside an authorization, log-out, and the Authorized Connections page. */
export async function dashboardRoutes(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const { db, sessions, csrf, throttle } = deps;

  app.get('/', async (request, reply) => reply.redirect((await sessions.user(request)) ? '/dashboard/connections' : '/login'));

  const accountPage = (mode: 'login' | 'signup', request: FastifyRequest, reply: FastifyReply, extra: { email?: string; error?: string } = {}, status = 200) => {
    const view = {
      action: `/${mode}`,
      switchHref: mode === 'login' ? '/signup' : '/login',
      csrf: csrf.token(request, reply),
      ...extra,
    };
    return sendHtml(reply, status, mode === 'login' ? renderLoginPage(view) : renderSignUpPage({ ...view, minPasswordLength: MIN_PASSWORD_LENGTH }));
  };

  app.get('/login', (request, reply) => accountPage('login', request, reply));
  app.get('/signup', (request, reply) => accountPage('signup', request, reply));

  for (const mode of ['login', 'signup'] as const) {
    app.post(`/${mode}`, { schema: { body: formBody } }, async (request: FastifyRequest<{ Body: Body }>, reply) => {
      const body = request.body ?? {};
      const email = first(body.email) ?? '';
      const password = first(body.password) ?? '';
      if (!csrf.valid(request, first(body.csrf))) return accountPage(mode, request, reply, { email, error: 'Your form expired. Please try again.' }, 403);
      let user: { id: string };
      try {
        user = mode === 'login' ? await throttle.logIn(db, { email, password }, request.raw) : (await signUp(db, { email, password })).user;
      } catch (error) {
        if (isPlatformError(error)) return accountPage(mode, request, reply, { email, error: error.message }, statusForPlatformError(error.code));
        throw error;
      }
      await sessions.create(reply, user.id);
      return reply.code(303).redirect('/dashboard/connections');
    });
  }

  app.post('/logout', { schema: { body: formBody } }, async (request: FastifyRequest<{ Body: Body }>, reply) => {
    if (!csrf.valid(request, first(request.body?.csrf))) return sendHtml(reply, 403, renderErrorPage({ error: 'invalid_form', error_description: 'Your form expired.' }));
    await sessions.destroy(request, reply);
    return reply.code(303).redirect('/login');
  });

  async function page(request: FastifyRequest, reply: FastifyReply, user: User, notice?: string, status = 200) {
    const connections = await listConnectionsForUser(db, { userId: user.id });
    const environments = new Map<string, { id: string; name: string }[]>();
    for (const m of await listOrganizationsForUser(db, { userId: user.id })) {
      environments.set(
        m.organization.id,
        (await listEnvironments(db, { userId: user.id, organizationId: m.organization.id })).map((e) => ({ id: e.id, name: e.name })),
      );
    }
    return sendHtml(reply, status, renderConnectionsPage({ csrf: csrf.token(request, reply), user, connections, environments, notice }));
  }

  app.get('/dashboard/connections', { schema: { querystring: connectionsQuery } }, async (request: FastifyRequest<{ Querystring: { done?: string } }>, reply) => {
    const user = await sessions.user(request);
    if (!user) return reply.redirect('/login');
    return page(request, reply, user, NOTICES[request.query.done ?? '']);
  });

  const connectionAction = (action: 'rebind' | 'revoke') =>
    async (request: FastifyRequest<{ Params: { id: string }; Body: Body }>, reply: FastifyReply) => {
      const user = await sessions.user(request);
      if (!user) return reply.code(303).redirect('/login');
      if (!csrf.valid(request, first(request.body?.csrf))) return page(request, reply, user, 'Your form expired. Please try again.', 403);
      try {
        if (action === 'rebind') {
          await bindEnvironment(db, { userId: user.id, connectionId: request.params.id, environmentId: first(request.body?.environment_id) || null });
        } else {
          await revokeConnection(db, { userId: user.id, connectionId: request.params.id });
        }
      } catch (error) {
        if (isPlatformError(error)) {
          const status = error.code === 'not_found' ? 404 : error.code === 'conflict' ? 409 : 400;
          return page(request, reply, user, error.message, status);
        }
        throw error;
      }
      return reply.code(303).redirect(`/dashboard/connections?done=${action === 'rebind' ? 'rebound' : 'revoked'}`);
    };
  app.post('/dashboard/connections/:id/environment', { schema: { params: connectionParams, body: formBody } }, connectionAction('rebind'));
  app.post('/dashboard/connections/:id/revoke', { schema: { params: connectionParams, body: formBody } }, connectionAction('revoke'));
}
