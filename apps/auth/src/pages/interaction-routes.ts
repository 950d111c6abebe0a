import type { Database } from '@frameport/db';
import {
  createConnection,
  isPlatformError,
  listEnvironments,
  listOrganizationsForUser,
  MIN_PASSWORD_LENGTH,
  signUp,
  type User,
} from '@frameport/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { statusForPlatformError } from '@frameport/http-kit';
import { OAUTH_ROUTES } from '../oauth/provider.ts';
import { READ_SCOPE, WRITE_SCOPE } from '../oauth/scopes.ts';
import { renderConsentPage } from './consent-page.ts';
import { renderErrorPage } from './error-page.ts';
import { renderLoginPage, renderSignUpPage } from './login-page.ts';
import { formBody, interactionParams } from './route-schemas.ts';
import { clearProviderSession, type Csrf, type DashboardSessions } from './session.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { first, sendHtml, type FormBody } from './respond.ts';

export interface InteractionDeps {
  provider: Provider;
  db: Database;
  sessions: DashboardSessions;
  csrf: Csrf;
  resource: string;
  throttle: LoginThrottle;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;
type Body = FormBody;
type UidRequest = FastifyRequest<{ Params: { uid: string }; Body: Body }>;

const all = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The pages oidc-provider sends the browser to (interactions.url): log-in or sign-up when there
 * is no provider session, then consent with the Environment picker. They live under
 * /interaction/:uid because the provider scopes its interaction cookie to that path.
 */
export async function interactionRoutes(app: FastifyInstance, deps: InteractionDeps): Promise<void> {
  const { provider, db, sessions, csrf, throttle } = deps;

  async function details(request: FastifyRequest, reply: FastifyReply): Promise<Details | null> {
    try {
      const d = await provider.interactionDetails(request.raw, reply.raw);
      return d.uid === (request.params as { uid: string }).uid ? d : null;
    } catch {
      return null;
    }
  }

  const expired = (reply: FastifyReply) =>
    sendHtml(
      reply,
      400,
      renderErrorPage({ error: 'interaction_expired', error_description: 'This sign-in request has expired or was already finished.' }),
    );

  async function finish(request: FastifyRequest, reply: FastifyReply, result: Parameters<Provider['interactionResult']>[2]) {
    const to = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return reply.code(303).header('cache-control', 'no-store').redirect(to);
  }

  async function clientName(clientId: unknown): Promise<string> {
    const client = typeof clientId === 'string' ? await provider.Client.find(clientId).catch(() => undefined) : undefined;
    return client?.clientName ?? (typeof clientId === 'string' ? clientId : 'an application');
  }

  async function consentPage(request: FastifyRequest, reply: FastifyReply, d: Details, user: User, error?: string, status = 200) {
    const clientId = String(d.params.client_id);
    const client = await provider.Client.find(clientId);
    if (!client) return expired(reply);
    const memberships = await listOrganizationsForUser(db, { userId: user.id });
    const organizations = await Promise.all(
      memberships.map(async (m) => ({
        id: m.organization.id,
        name: m.organization.name,
        environments: (await listEnvironments(db, { userId: user.id, organizationId: m.organization.id })).map((e) => ({ id: e.id, name: e.name })),
      })),
    );
    const requested = String(d.params.scope ?? '').split(' ');
    const redirect = URL.parse(String(d.params.redirect_uri ?? ''));
    return sendHtml(
      reply,
      status,
      renderConsentPage({
        action: `/interaction/${d.uid}/consent`,
        csrf: csrf.token(request, reply),
        user,
        client: {
          name: client.clientName ?? clientId,
          kind: (client as { clientIdMetadataDocument?: boolean }).clientIdMetadataDocument ? 'cimd' : 'dcr',
          id: clientId,
        },
        redirectHost: redirect ? (redirect.host || `${redirect.protocol}//`) : '',
        organizations,
        selectedOrganizationId: organizations[0]?.id ?? '',
        writeRequested: requested.includes(WRITE_SCOPE),
        error,
      }),
    );
  }

  const loginPage = async (request: FastifyRequest, reply: FastifyReply, d: Details) =>
    sendHtml(
      reply,
      200,
      renderLoginPage({
        action: `/interaction/${d.uid}/login`,
        switchHref: `/interaction/${d.uid}/signup`,
        csrf: csrf.token(request, reply),
        clientName: await clientName(d.params.client_id),
      }),
    );

  /**
   * The person consenting must be the one logged in to the dashboard in this browser. Dashboard
   * log-in and log-out drop the provider's session cookie, so they rarely disagree; when they do
   * (an old provider session), the provider session is dropped and the authorization request
   * starts over from its own parameters, which leads to a fresh log-in.
   */
  async function consentingUser(request: FastifyRequest, d: Details): Promise<User | null> {
    const user = await sessions.user(request);
    return user && user.id === d.session?.accountId ? user : null;
  }

  function restart(reply: FastifyReply, d: Details) {
    clearProviderSession(reply);
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(d.params)) {
      for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') params.append(key, v);
    }
    return reply.code(303).header('cache-control', 'no-store').redirect(`${OAUTH_ROUTES.authorization}?${params}`);
  }

  app.get('/interaction/:uid', { schema: { params: interactionParams } }, async (request: UidRequest, reply) => {
    const d = await details(request, reply);
    if (!d) return expired(reply);
    if (d.prompt.name === 'login') {
      const user = await sessions.user(request);
      // Already logged in to the dashboard: the provider only needs to learn who it is.
      if (user) return finish(request, reply, { login: { accountId: user.id } });
      return loginPage(request, reply, d);
    }
    if (d.prompt.name === 'consent') {
      const user = await consentingUser(request, d);
      if (!user) return restart(reply, d);
      return consentPage(request, reply, d, user);
    }
    return expired(reply);
  });

  app.get('/interaction/:uid/signup', { schema: { params: interactionParams } }, async (request: UidRequest, reply) => {
    const d = await details(request, reply);
    if (!d) return expired(reply);
    return sendHtml(
      reply,
      200,
      renderSignUpPage({
        action: `/interaction/${d.uid}/signup`,
        switchHref: `/interaction/${d.uid}`,
        csrf: csrf.token(request, reply),
        clientName: await clientName(d.params.client_id),
        minPasswordLength: MIN_PASSWORD_LENGTH,
      }),
    );
  });

  const accountPost = (mode: 'login' | 'signup') => async (request: UidRequest, reply: FastifyReply) => {
    const d = await details(request, reply);
    if (!d || d.prompt.name !== 'login') return expired(reply);
    const body = request.body ?? {};
    const email = first(body.email) ?? '';
    const password = first(body.password) ?? '';
    const view = {
      action: `/interaction/${d.uid}/${mode}`,
      switchHref: mode === 'login' ? `/interaction/${d.uid}/signup` : `/interaction/${d.uid}`,
      csrf: csrf.token(request, reply),
      clientName: await clientName(d.params.client_id),
      email,
    };
    const render = (error: string, status: number) =>
      sendHtml(reply, status, mode === 'login' ? renderLoginPage({ ...view, error }) : renderSignUpPage({ ...view, error, minPasswordLength: MIN_PASSWORD_LENGTH }));
    if (!csrf.valid(request, first(body.csrf))) return render('Your form expired. Please try again.', 403);
    let user: { id: string };
    try {
      user = mode === 'login' ? await throttle.logIn(db, { email, password }, request.raw) : (await signUp(db, { email, password })).user;
    } catch (error) {
      if (isPlatformError(error)) return render(error.message, statusForPlatformError(error.code));
      throw error;
    }
    await sessions.create(reply, user.id);
    return finish(request, reply, { login: { accountId: user.id } });
  };
  app.post('/interaction/:uid/login', { schema: { params: interactionParams, body: formBody } }, accountPost('login'));
  app.post('/interaction/:uid/signup', { schema: { params: interactionParams, body: formBody } }, accountPost('signup'));

  app.post('/interaction/:uid/consent', { schema: { params: interactionParams, body: formBody } }, async (request: UidRequest, reply) => {
    const d = await details(request, reply);
    if (!d || d.prompt.name !== 'consent' || !d.session?.accountId) return expired(reply);
    const body = request.body ?? {};
    const user = await consentingUser(request, d);
    if (!user) return restart(reply, d);
    if (!csrf.valid(request, first(body.csrf))) return consentPage(request, reply, d, user, 'Your form expired. Please try again.', 403);

    if (first(body.decision) !== 'allow') {
      return finish(request, reply, { error: 'access_denied', error_description: 'The user denied the authorization request.' });
    }

    const memberships = await listOrganizationsForUser(db, { userId: user.id });
    const environmentId = first(body.environment_id) || null;
    let organizationId = first(body.organization_id) || memberships[0]?.organization.id;
    if (environmentId) {
      // The Environment decides the organization; it must be one the user belongs to.
      const match = await Promise.all(
        memberships.map(async (m) => ({
          orgId: m.organization.id,
          has: (await listEnvironments(db, { userId: user.id, organizationId: m.organization.id })).some((e) => e.id === environmentId),
        })),
      );
      const found = match.find((m) => m.has);
      if (!found) return consentPage(request, reply, d, user, 'Choose one of your Environments.', 400);
      organizationId = found.orgId;
    }
    if (!organizationId || !memberships.some((m) => m.organization.id === organizationId)) {
      return consentPage(request, reply, d, user, 'Choose one of your organizations.', 400);
    }

    const clientId = String(d.params.client_id);
    const client = await provider.Client.find(clientId);
    if (!client) return expired(reply);
    const requested = new Set(String(d.params.scope ?? '').split(' ').filter(Boolean));
    const chosen = new Set(all(body.scope));
    chosen.add(READ_SCOPE);
    const granted = [READ_SCOPE, WRITE_SCOPE].filter((s) => requested.has(s) && chosen.has(s));
    const rejected = [READ_SCOPE, WRITE_SCOPE].filter((s) => requested.has(s) && !chosen.has(s));
    const resource = typeof d.params.resource === 'string' ? d.params.resource : deps.resource;

    const grant = new provider.Grant({ accountId: user.id, clientId });
    // Both views of the scopes must be settled or the provider asks for consent again: the
    // OIDC view (op_scopes_missing, where offline_access lives) and the resource view.
    const oidcGranted = [...granted, ...(requested.has('offline_access') ? ['offline_access'] : [])];
    if (oidcGranted.length) grant.addOIDCScope(oidcGranted.join(' '));
    if (rejected.length) grant.rejectOIDCScope(rejected.join(' '));
    if (granted.length) grant.addResourceScope(resource, granted.join(' '));
    if (rejected.length) grant.rejectResourceScope(resource, rejected.join(' '));
    const grantId = await grant.save();

    await createConnection(db, {
      grantId,
      userId: user.id,
      organizationId,
      clientId,
      clientName: client.clientName ?? clientId,
      clientKind: (client as { clientIdMetadataDocument?: boolean }).clientIdMetadataDocument ? 'cimd' : 'dcr',
      environmentId,
      scopes: oidcGranted,
    });
    return finish(request, reply, { consent: { grantId } });
  });
}
