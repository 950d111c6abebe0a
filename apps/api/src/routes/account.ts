import { createDownloadInput, createDownloadJob, getDownloadJob, getMetrics, getUsage } from '@frameport/platform';
import { z } from 'zod';
import { defineRoute } from './define.ts';
import { downloadJobSchema, metricsSchema, usageSchema } from './schemas.ts';

export const downloadRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/downloads',
    operationId: 'createDownload',
    summary: 'Bulk download: zip up to 1000 READY images of the Environment; poll until READY for a 24-hour URL.',
    tag: 'downloads',
    auth: 'server',
    body: createDownloadInput,
    status: 202,
    response: downloadJobSchema,
    handler: ({ scope, body }, { ctx }) => createDownloadJob(ctx, scope, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/downloads/:downloadId',
    operationId: 'getDownload',
    summary: 'Get a bulk download and, once READY, its signed URL.',
    tag: 'downloads',
    auth: 'server',
    params: z.object({ downloadId: z.string().min(1).max(100) }),
    status: 200,
    response: downloadJobSchema,
    handler: ({ scope, params }, { ctx }) => getDownloadJob(ctx, scope, params.downloadId),
  }),
];

export const accountRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/usage',
    operationId: 'getUsage',
    summary: "The organization's usage this month against its plan limits.",
    tag: 'usage',
    auth: 'server',
    status: 200,
    response: usageSchema,
    // This instance's deliveries of the last second are still in memory: write them first.
    handler: async ({ scope }, { ctx }) => (await ctx.deliveries.flush(), getUsage(ctx.db, scope, ctx.plan)),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/metrics',
    operationId: 'getMetrics',
    summary: "The Environment's delivery metrics as an hourly or daily series between two dates.",
    tag: 'metrics',
    auth: 'server',
    query: z.object({
      from: z.string().min(1).meta({ description: 'ISO 8601 date or date-time, inclusive.' }),
      to: z.string().min(1).meta({ description: 'ISO 8601 date or date-time, exclusive.' }),
      granularity: z.enum(['hour', 'day']).default('day'),
    }),
    status: 200,
    response: metricsSchema,
    handler: async ({ scope, query }, { ctx }) => (await ctx.deliveries.flush(), getMetrics(ctx.db, scope, query)),
  }),
];
