import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '@frameport/image-tools';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { isInitializeRequest, type AuthInfo, type McpServer } from '@modelcontextprotocol/server';
import type { FastifyBaseLogger } from 'fastify';
import { principalKey } from './request-info.ts';

/** Sessions one principal may hold on one instance; opening another ends its least recently used. */
export const MAX_SESSIONS_PER_PRINCIPAL = 16;

interface Session {
  transport: NodeStreamableHTTPServerTransport;
  server: McpServer;
  principalKey: string;
  grantId: string;
  lastActivity: number;
  /** Requests (and open SSE streams) in progress: a busy session is never idle. */
  active: number;
}

export interface LegacySessionsOptions {
  instanceId: string;
  idleMs: number;
  maxRequestBodySize: number;
  build: (principal: Principal) => McpServer;
  log: FastifyBaseLogger;
}

function writeJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/**
 * 2025-era (2025-06-18, 2025-11-25) Streamable HTTP sessions: one sessionful transport and
 * McpServer per `initialize`, so the server can send requests to the client (elicitation on the
 * tools/call stream) — which the SDK's per-request legacy serving cannot. Session ids start with
 * the instance id so a load balancer can keep a session on the instance that holds it.
 */
export class LegacySessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  private readonly options: LegacySessionsOptions;

  constructor(options: LegacySessionsOptions) {
    this.options = options;
    this.sweeper = setInterval(() => this.evictIdle(), Math.min(options.idleMs / 2, 60_000));
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  async handle(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse, body: unknown, principal: Principal): Promise<void> {
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      // A session opened by another principal is reported exactly like an unknown one (spec 2025-11-25
      // basic/transports §Session Management: 404 makes the client start a new session).
      if (!session || session.principalKey !== principalKey(principal)) {
        writeJsonRpcError(res, 404, -32001, 'Session not found');
        return;
      }
      await this.run(session, () => session.transport.handleRequest(req, res, body));
      return;
    }
    if (req.method === 'POST' && isInitializeRequest(body)) {
      await this.open(req, res, body, principal);
      return;
    }
    writeJsonRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required (send initialize first).');
  }

  private async open(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse, body: unknown, principal: Principal): Promise<void> {
    this.enforceLimit(principalKey(principal));
    const server = this.options.build(principal);
    const session: Session = {
      server,
      transport: undefined as never,
      principalKey: principalKey(principal),
      grantId: principal.grantId,
      lastActivity: Date.now(),
      active: 0,
    };
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => `${this.options.instanceId}.${randomUUID()}`,
      onsessioninitialized: (id) => {
        this.sessions.set(id, session);
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
      },
      maxRequestBodySize: this.options.maxRequestBodySize,
    });
    session.transport = transport;
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await this.run(session, () => transport.handleRequest(req, res, body));
    if (!transport.sessionId || !this.sessions.has(transport.sessionId)) await server.close().catch(() => {});
  }

  private async run(session: Session, fn: () => Promise<void>): Promise<void> {
    session.active += 1;
    session.lastActivity = Date.now();
    try {
      await fn();
    } finally {
      session.active -= 1;
      session.lastActivity = Date.now();
    }
  }

  private enforceLimit(key: string): void {
    const own = [...this.sessions.entries()].filter(([, s]) => s.principalKey === key).sort(([, x], [, y]) => x.lastActivity - y.lastActivity);
    for (const [id, session] of own.slice(0, Math.max(0, own.length - MAX_SESSIONS_PER_PRINCIPAL + 1))) {
      this.sessions.delete(id);
      session.server.close().catch((error) => this.options.log.warn({ err: error }, 'closing an MCP session failed'));
    }
  }

  /** Ends every session of a revoked grant at once, open streams included. */
  closeGrant(grantId: string): void {
    for (const [id, session] of this.sessions) {
      if (session.grantId !== grantId) continue;
      this.sessions.delete(id);
      session.server.close().catch((error) => this.options.log.warn({ err: error }, 'closing a revoked MCP session failed'));
    }
  }

  private evictIdle(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const [id, session] of this.sessions) {
      if (session.active === 0 && session.lastActivity < cutoff) {
        this.sessions.delete(id);
        session.server.close().catch((error) => this.options.log.warn({ err: error }, 'closing an idle MCP session failed'));
      }
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(all.map((s) => s.server.close()));
  }
}
