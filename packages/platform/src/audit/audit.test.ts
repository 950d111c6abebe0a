import { schema } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { argumentsDigest, recordToolCall, USER_AGENT_MAX_CHARS } from './audit.ts';

const handle = await createTestDatabase();
afterAll(() => handle.close());

describe('tool-call audit', () => {
  it('digests arguments independently of key order and never stores them', async () => {
    const args = { url: 'https://example.com/private.png', metadata: { b: 1, a: 'x' } };
    expect(argumentsDigest(args)).toBe(argumentsDigest({ metadata: { a: 'x', b: 1 }, url: 'https://example.com/private.png' }));
    expect(argumentsDigest(args)).not.toBe(argumentsDigest({ ...args, url: 'https://example.com/other.png' }));
    await recordToolCall(handle.db, {
      organizationId: 'org_audit',
      userId: 'usr_audit',
      connectionId: 'con_audit',
      environmentId: 'env_audit',
      tool: 'upload_image_via_url',
      args,
      outcome: 'error',
      errorCode: 'invalid_input',
      latencyMs: 12.6,
      ip: '203.0.113.9',
      userAgent: 'x'.repeat(2000),
    });
    const [row] = await handle.db.select().from(schema.audit).where(eq(schema.audit.connectionId, 'con_audit'));
    expect(row).toMatchObject({ tool: 'upload_image_via_url', outcome: 'error', errorCode: 'invalid_input', latencyMs: 13, argumentsDigest: argumentsDigest(args) });
    expect(row!.userAgent).toHaveLength(USER_AGENT_MAX_CHARS);
    expect(JSON.stringify(row)).not.toContain('private.png');
  });
});
