import { bigserial, index, integer, pgEnum, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';

export const auditOutcome = pgEnum('audit_outcome', ['ok', 'error']);

/**
 * One row per MCP tool call. Arguments are kept only as a SHA-256 digest: they may carry URLs or
 * metadata the user did not mean to archive. No foreign keys, so the trail outlives what it describes.
 */
export const audit = pgTable(
  'audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organizationId: text('organization_id').notNull(),
    userId: text('user_id').notNull(),
    connectionId: text('connection_id'),
    environmentId: text('environment_id'),
    tool: text('tool').notNull(),
    argumentsDigest: text('arguments_digest').notNull(),
    outcome: auditOutcome('outcome').notNull(),
    errorCode: text('error_code'),
    latencyMs: integer('latency_ms').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
  },
  (t) => [index('audit_org_created_idx').on(t.organizationId, t.createdAt), index('audit_connection_idx').on(t.connectionId, t.createdAt)],
);
