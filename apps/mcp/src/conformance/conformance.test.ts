import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DbHandle } from '@frameport/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createTestDatabase } from '../test-support.ts';
import { startConformanceServer } from './conformance-server.ts';

const cli = fileURLToPath(new URL('../../node_modules/@modelcontextprotocol/conformance/dist/index.js', import.meta.url));
const baseline = fileURLToPath(new URL('./baseline.yaml', import.meta.url));

/** The scenario set, each at the protocol revision(s) it is run under. */
const scenarios: [scenario: string, specVersion: '2025-11-25' | '2026-07-28'][] = [
  ['server-initialize', '2025-11-25'],
  ['ping', '2025-11-25'],
  ['tools-list', '2025-11-25'],
  ['dns-rebinding-protection', '2025-11-25'],
  ['tools-call-elicitation', '2025-11-25'],
  ['server-session-lifecycle', '2025-11-25'],
  ['server-sse-multiple-streams', '2025-11-25'],
  ['tools-list', '2026-07-28'],
  ['dns-rebinding-protection', '2026-07-28'],
  ['server-stateless', '2026-07-28'],
  ['http-header-validation', '2026-07-28'],
  ...(
    [
      'basic-elicitation',
      'basic-sampling',
      'basic-list-roots',
      'request-state',
      'multiple-input-requests',
      'multi-round',
      'missing-input-response',
      'non-tool-request',
      'result-type',
      'unsupported-methods',
      'tampered-state',
      'capability-check',
      'ignore-extra-params',
      'validate-input',
    ] as const
  ).map((s): [string, '2026-07-28'] => [`input-required-result-${s}`, '2026-07-28']),
];

let database: DbHandle;
let server: { url: string; close(): Promise<void> };
let workDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const account = await createAccount(database);
  server = await startConformanceServer(database, {
    userId: account.user.id,
    organizationId: account.organization.id,
    connectionId: account.connection.id,
    grantId: account.connection.grantId,
    clientId: account.connection.clientId,
    scopes: ['images:read', 'images:write'],
  });
  workDir = await mkdtemp(join(tmpdir(), 'frameport-conformance-'));
});

afterAll(async () => {
  await server?.close();
  await database?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function runScenario(scenario: string, specVersion: string): Promise<{ code: number; output: string }> {
  const args = [cli, 'server', '--url', server.url, '--scenario', scenario, '--spec-version', specVersion, '--expected-failures', baseline];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: workDir, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

describe('official MCP conformance suite (server scenarios)', () => {
  it.each(scenarios)('%s at %s passes, or fails only as its baseline entry says', { timeout: 90_000 }, async (scenario, specVersion) => {
    const { code, output } = await runScenario(scenario, specVersion);
    expect(code, output).toBe(0);
  });
});
