import { RateLimiter } from '../rate-limiter.ts';
import { IncomingMessage, type ServerResponse } from 'node:http';
import { OAUTH_ROUTES } from './provider.ts';
import { canonicalizeParams } from './resource.ts';
import { withDefaultScopes } from './scopes.ts';

/** oidc-provider's own request body limit (lib/shared/selective_body.js). */
const BODY_LIMIT = 56 * 1024;

const DISCOVERY_PATHS = new Set(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']);

export function isProviderPath(pathname: string): boolean {
  return pathname.startsWith('/oauth/') || DISCOVERY_PATHS.has(pathname);
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;


async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The original request's body stream is spent; the provider gets an equivalent request carrying
 * the rewritten form, and parses it itself as usual (lib/shared/selective_body.js). Handing it a
 * pre-parsed `req.body` instead also works but is the path oidc-provider warns against.
 */
function replayRequest(original: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = new IncomingMessage(original.socket);
  replay.method = original.method;
  replay.url = original.url;
  replay.httpVersion = original.httpVersion;
  replay.httpVersionMajor = original.httpVersionMajor;
  replay.httpVersionMinor = original.httpVersionMinor;
  replay.headers = { ...original.headers, 'content-length': String(body.length) };
  delete replay.headers['transfer-encoding'];
  // Marked complete so that destroying it after the read does not destroy the shared socket.
  replay.complete = true;
  replay.push(body);
  replay.push(null);
  return replay;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export interface FrontDoorOptions {
  provider: { callback(): Handler };
  resource: string;
  registrationLimiter: RateLimiter;
  clientIp: (req: IncomingMessage) => string;
}

/**
 * The middleware in front of oidc-provider (mounted with @fastify/middie): hands it only its own
 * paths, and first normalizes what real clients send so the provider sees one canonical request:
 * - every `resource` alias becomes the canonical MCP URL, duplicates collapse (RFC 8707 §2; Codex
 *   sends `resource=<mcp>&resource=<origin>/`, INTEROP), in the authorization request's query (the
 *   provider serves authorization by GET only) and the token request's form body;
 * - an authorization request naming no resource scope gets read and write (INTEROP "Scopes");
 * - `/oauth/register` gets CORS for browser-based clients and a per-IP rate limit (RFC 7591 §5
 *   leaves abuse protection to the server).
 */
export function frontDoor(options: FrontDoorOptions) {
  const callback = options.provider.callback();
  return async (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => {
    try {
      const url = new URL(req.url ?? '/', 'http://frameport.invalid');
      if (!isProviderPath(url.pathname)) return next();

      if (url.pathname === OAUTH_ROUTES.registration) {
        const cors = {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': 'content-type, authorization',
          'access-control-max-age': '600',
        };
        if (req.method === 'OPTIONS') {
          res.writeHead(204, cors);
          return res.end();
        }
        for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
        if (req.method === 'POST' && !options.registrationLimiter.allow(options.clientIp(req))) {
          return sendJson(
            res,
            429,
            { error: 'too_many_requests', error_description: 'Too many client registrations from this address; try again in a minute.' },
            { 'retry-after': '60' },
          );
        }
      }

      const isAuthorize = url.pathname === OAUTH_ROUTES.authorization;
      const isToken = url.pathname === OAUTH_ROUTES.token;
      if (isAuthorize && req.method === 'GET') {
        let changed = canonicalizeParams(url.searchParams, options.resource);
        const scope = withDefaultScopes(url.searchParams.get('scope'));
        if (scope !== url.searchParams.get('scope')) {
          url.searchParams.set('scope', scope);
          changed = true;
        }
        if (changed) req.url = `${url.pathname}?${url.searchParams.toString()}`;
      } else if (isToken && req.method === 'POST' && /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
        const raw = await readBody(req);
        if (raw === null) {
          return sendJson(res, 413, { error: 'invalid_request', error_description: 'request body too large' });
        }
        const params = new URLSearchParams(raw);
        canonicalizeParams(params, options.resource);
        return callback(replayRequest(req, Buffer.from(params.toString())), res);
      }
      callback(req, res);
    } catch (error) {
      next(error);
    }
  };
}
