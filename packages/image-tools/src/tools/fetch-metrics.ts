import { getMetrics } from '@frameport/platform';
import { z } from 'zod';
import { defineTool, SCOPES, scopeOf } from '../define-tool.ts';

const DAY_MS = 86_400_000;
const count = z.number();
const totals = z.object({
  uploads: count,
  transformations: count,
  requests: count.describe('CDN requests served.'),
  transferBytes: count.describe('Bytes delivered by the CDN.'),
  cacheHits: count,
  cacheMisses: count,
  cacheHitRatio: z.number().nullable().describe('Hits over cache lookups; null when there were none.'),
});

export default defineTool(
  {
    name: 'fetch_metrics',
    title: 'Fetch delivery metrics',
    description:
      'Returns delivery metrics of the linked Environment as a time series (one point per hour or UTC day) with totals: ' +
      'uploads, transformations, CDN requests, bytes delivered, cache hits and misses, and stored bytes. ' +
      'Defaults to the last 7 days by day. For the organization\'s plan usage and limits use get_usage.',
    input: z.object({
      from: z.iso.datetime({ offset: true }).optional().describe('Start (ISO 8601, inclusive); default 7 days before `to`.'),
      to: z.iso.datetime({ offset: true }).optional().describe('End (ISO 8601, exclusive); default now.'),
      granularity: z.enum(['hour', 'day']).default('day').describe('One point per hour or per UTC day.'),
    }),
    output: z.object({
      environmentId: z.string(),
      granularity: z.enum(['hour', 'day']),
      from: z.string(),
      to: z.string(),
      points: z.array(totals.extend({ start: z.string(), storageBytes: z.number().nullable() })),
      totals,
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScope: SCOPES.read,
    needsEnvironment: true,
    render: (o) =>
      `${o.from} to ${o.to} (${o.points.length} ${o.granularity} points): ${o.totals.uploads} uploads, ${o.totals.transformations} transformations, ` +
      `${o.totals.requests} requests, ${o.totals.transferBytes} bytes delivered, cache hit ratio ${o.totals.cacheHitRatio ?? 'n/a'}.`,
  },
  async (args, ctx) => {
    const to = args.to ? new Date(args.to) : new Date();
    const from = args.from ? new Date(args.from) : new Date(to.getTime() - 7 * DAY_MS);
    return getMetrics(ctx.services.db, scopeOf(ctx), { from, to, granularity: args.granularity });
  },
);
