import { createHash } from 'node:crypto';
import { schema, type Database } from '@frameport/db';

/** Stable JSON (sorted keys) so equal arguments give equal digests. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The arguments are kept only as a digest: they may carry URLs or metadata nobody meant to archive. */
export function argumentsDigest(args: unknown): string {
  return createHash('sha256').update(canonical(args)).digest('hex');
}

export const USER_AGENT_MAX_CHARS = 512;

export interface ToolCallRecord {
  organizationId: string;
  userId: string;
  connectionId: string;
  environmentId: string | null;
  tool: string;
  /** Digested here, never stored. */
  args: unknown;
  outcome: 'ok' | 'error';
  errorCode: string | null;
  latencyMs: number;
  ip: string | null;
  userAgent: string | null;
}

/** One audit row per MCP tool call (issue 5): who, which connection and tool, outcome, latency, where from. */
export async function recordToolCall(db: Database, record: ToolCallRecord): Promise<void> {
  await db.insert(schema.audit).values({
    organizationId: record.organizationId,
    userId: record.userId,
    connectionId: record.connectionId,
    environmentId: record.environmentId,
    tool: record.tool,
    argumentsDigest: argumentsDigest(record.args),
    outcome: record.outcome,
    errorCode: record.errorCode,
    latencyMs: Math.max(0, Math.round(record.latencyMs)),
    ip: record.ip,
    userAgent: record.userAgent?.slice(0, USER_AGENT_MAX_CHARS) ?? null,
  });
}
