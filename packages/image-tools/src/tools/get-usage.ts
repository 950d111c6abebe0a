import { getUsage } from '@frameport/platform';
import { z } from 'zod';
import { defineTool, SCOPES } from '../define-tool.ts';

const limit = z.number().nullable();

export default defineTool(
  {
    name: 'get_usage',
    title: 'Get plan usage and limits',
    description:
      'Returns the organization\'s usage in the current billing month (UTC) against its plan limits: stored bytes and image count (live), ' +
      'uploads, transformations and delivered bytes this month. A limit of null means unlimited. ' +
      'Check it before large uploads; uploads over a limit are refused with the limit named. For per-Environment time series use fetch_metrics.',
    input: z.object({}),
    output: z.object({
      period: z.string().describe('The billing month, YYYY-MM.'),
      storedBytes: z.number(),
      imageCount: z.number(),
      uploads: z.number(),
      transformations: z.number(),
      deliveredBytes: z.number(),
      limits: z.object({
        maxStoredBytes: limit,
        maxImages: limit,
        maxUploadsPerPeriod: limit,
        maxTransformationsPerPeriod: limit,
        maxDeliveredBytesPerPeriod: limit,
      }),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScope: SCOPES.read,
    needsEnvironment: true,
    render: (o) => {
      const of = (v: number, max: number | null) => `${v}/${max ?? '∞'}`;
      return (
        `Usage ${o.period}: ${of(o.imageCount, o.limits.maxImages)} images, ${of(o.storedBytes, o.limits.maxStoredBytes)} bytes stored, ` +
        `${of(o.uploads, o.limits.maxUploadsPerPeriod)} uploads, ${of(o.transformations, o.limits.maxTransformationsPerPeriod)} transformations, ` +
        `${of(o.deliveredBytes, o.limits.maxDeliveredBytesPerPeriod)} bytes delivered.`
      );
    },
  },
  // Usage is counted per organization (the plan's unit); the organization is the principal's, never an argument.
  async (_args, ctx) => getUsage(ctx.services.db, { organizationId: ctx.principal.organizationId }, ctx.services.images.plan),
);
