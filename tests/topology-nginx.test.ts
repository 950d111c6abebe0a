/**
 * Past one machine: PostgreSQL, S3-compatible storage (s3rver), two processes of each app and
 * nginx in front with deploy/nginx's config. Agents connect through nginx exactly as they would to
 * a single process; 2025-era sessions stay on the instance whose id prefixes their session id,
 * 2026-07-28 requests go round-robin (an elicitation's retry lands on the other instance), bulk
 * downloads are built by the API worker in another process, and a revocation made through one
 * auth instance is seen by every MCP instance on its next call.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from './auth-flow-driver.ts';
import { connectV1, connectV2, Dashboard, type Agent, type Exchange } from './support/agents.ts';
import { freePort } from './support/free-port.ts';
import { imageFlow, makePng } from './support/image-flow.ts';
import { freshPostgresDatabase, startTopology, type Topology } from './support/topology.ts';

interface Whoami {
  environments: { id: string; name: string }[];
  linkedEnvironment: { name: string } | null;
  connection: { id: string };
}

let dir: string;
let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
let topology: Topology;
let dashboard: Dashboard;
const person: Person = { email: 'ops@example.com', password: 'a password for the topology test' };
const SOURCE = { width: 300, height: 240 };
let source: Buffer;
/** "The web" the agents upload images from. */
let origin: Server;
let originUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'frameport-topology-'));
  source = await makePng(SOURCE.width, SOURCE.height);
  origin = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(source));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as { port: number }).port}`;
  database = await freshPostgresDatabase();
  topology = await startTopology({
    dir,
    databaseUrl: database.url,
    env: { FETCH_ALLOW_CIDRS: '127.0.0.0/8' },
    // Only api-1 builds archives, so a finished bulk download was built there, in another
    // process than the MCP instance that queued it.
    instanceEnv: { 'api-2': { API_WORKER: 'off' } },
  });
  // A person signs up on the dashboard; the form and its post may reach different auth instances.
  dashboard = await Dashboard.logIn(topology.urls.auth, { ...person, signUp: true });
}, 120_000);

afterAll(async () => {
  await topology?.close();
  await new Promise((resolve) => origin?.close(resolve));
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

const mcpCalls = (log: Exchange[]) => log.filter((e) => e.url === topology.urls.mcp);
const instanceOf = (e: Exchange) => topology.instanceAt(e.upstream)?.name;

async function whoami(agent: Agent): Promise<Whoami> {
  const result = await agent.callTool('whoami');
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent as Whoami;
}

describe('two instances of each app behind nginx', () => {
  it('every app answers through nginx from both of its instances', async () => {
    for (const base of [topology.urls.auth, topology.urls.api, topology.urls.mcp.replace(/\/mcp$/, '')]) {
      const seen = new Set<string | undefined>();
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${base}/healthz`);
        expect(res.status).toBe(200);
        seen.add(topology.instanceAt(res.headers.get('x-frameport-upstream'))?.name);
      }
      expect(seen.size).toBe(2);
    }
  });

  it('2025-era agent: its session stays on the instance named by the Mcp-Session-Id prefix, through an elicitation and the whole image flow', async () => {
    let production = '';
    let asked = 0;
    const agent = await connectV1({
      mcpUrl: topology.urls.mcp,
      issuer: topology.urls.auth,
      person,
      // "Choose when first needed": no Environment linked at consent.
      consent: { environment: '' },
      callbackPort: await freePort(),
      elicitEnvironment: () => {
        asked++;
        return production;
      },
    });
    const me = await whoami(agent);
    expect(me.linkedEnvironment).toBeNull();
    production = me.environments.find((e) => e.name === 'Production')!.id;

    // The first image tool asks which Environment (on the tool call's own event stream, through
    // nginx), then binds the answer to the connection.
    const { download } = await imageFlow(agent, { url: `${originUrl}/topology.png`, fileName: 'topology.png', source, ...SOURCE });
    expect(asked).toBe(1);
    expect((await whoami(agent)).linkedEnvironment).toMatchObject({ name: 'Production' });
    // Built by the worker on api-1 (api-2 runs none), stored in S3, served by a presigned URL.
    expect(download.downloadUrl).toContain(`/frameport/`);
    const sessionId = agent.sessionId()!;
    expect(sessionId).toMatch(/^mcp-[12]\.[0-9a-f-]{36}$/);
    const owner = sessionId.split('.')[0];
    // Every request after initialize carried the session id and reached its owner.
    const calls = mcpCalls(agent.log).filter((e) => e.status < 400);
    expect(calls.length).toBeGreaterThan(8);
    expect(calls.slice(1).map(instanceOf)).toEqual(calls.slice(1).map(() => owner));
    expect((await dashboard.row(me.connection.id))!).toContain('E2E v1 agent');
    await agent.close();
  });

  it('2026-07-28 agent: requests go round-robin, an elicitation is answered on the other instance, and a revocation is seen by every MCP instance', async () => {
    let development = '';
    const agent = await connectV2({
      mcpUrl: topology.urls.mcp,
      issuer: topology.urls.auth,
      person,
      consent: { environment: '' },
      callbackPort: await freePort(),
      elicitEnvironment: () => development,
    });
    const me = await whoami(agent);
    development = me.environments.find((e) => e.name === 'Development')!.id;
    const before = agent.log.length;
    // input_required, then the retry carrying the sealed requestState: two requests, two instances.
    await imageFlow(agent, { url: `${originUrl}/modern.png`, fileName: 'modern.png', source, ...SOURCE });
    const [first, retry] = mcpCalls(agent.log.slice(before));
    expect(instanceOf(first!)).not.toBe(instanceOf(retry!));
    expect((await whoami(agent)).linkedEnvironment).toMatchObject({ name: 'Development' });
    // Both instances served this connection (and cached it as valid).
    expect(new Set(mcpCalls(agent.log).filter((e) => e.status === 200).map(instanceOf))).toEqual(new Set(['mcp-1', 'mcp-2']));

    const token = agent.accessToken()!;
    const page = await dashboard.revoke(me.connection.id);
    expect(page).toContain('Connection revoked');

    const revokedAt = agent.log.length;
    await expect(agent.callTool('whoami')).rejects.toThrow();
    const after = agent.log.slice(revokedAt);
    expect(mcpCalls(after)[0]?.status).toBe(401);
    expect(after.filter((e) => e.url.endsWith('/oauth/token')).map((e) => e.oauthError)).toContain('invalid_grant');

    // The same token on both instances: each refuses it.
    const refusedBy = new Set<string | undefined>();
    for (let i = 0; i < 2; i++) {
      const res = await fetch(topology.urls.mcp, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
      expect(res.status).toBe(401);
      refusedBy.add(topology.instanceAt(res.headers.get('x-frameport-upstream'))?.name);
    }
    expect(refusedBy).toEqual(new Set(['mcp-1', 'mcp-2']));
    await agent.close();
  });
});
