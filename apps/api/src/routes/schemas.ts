import { z } from 'zod';

/** Response shapes, for the OpenAPI document (the platform builds the values). */
export const imageSchema = z
  .object({
    id: z.string().meta({ example: 'img_…' }),
    organizationId: z.string(),
    environmentId: z.string(),
    status: z.enum(['PENDING', 'PROCESSING', 'READY', 'QUARANTINE', 'FAILED']),
    statusReason: z.string().nullable(),
    fileName: z.string().nullable(),
    mimeType: z.string().nullable(),
    extension: z.string().nullable(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    sizeBytes: z.number().int().nullable(),
    sha256: z.string().nullable(),
    idempotencyKey: z.string().nullable(),
    purpose: z.string().nullable(),
    metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    sourceUrl: z.string().nullable(),
    url: z.string().nullable().meta({ description: 'CDN URL of the original, once READY.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    deletedAt: z.string().nullable(),
  })
  .meta({ id: 'Image' });

export const uploadTargetSchema = z
  .object({
    method: z.literal('PUT'),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    expiresAt: z.string(),
  })
  .meta({ id: 'UploadTarget' });

export const createdUploadSchema = z.object({ image: imageSchema, upload: uploadTargetSchema.nullable(), existing: z.boolean() });
export const imagePageSchema = z.object({ images: z.array(imageSchema), nextCursor: z.string().nullable() });

export const downloadJobSchema = z
  .object({
    id: z.string(),
    environmentId: z.string(),
    status: z.enum(['PENDING', 'PROCESSING', 'READY', 'FAILED']),
    imageCount: z.number().int(),
    sizeBytes: z.number().int().nullable(),
    failureReason: z.string().nullable(),
    downloadUrl: z.string().nullable(),
    expiresAt: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .meta({ id: 'DownloadJob' });

export const usageSchema = z
  .object({
    period: z.string(),
    storedBytes: z.number(),
    imageCount: z.number(),
    uploads: z.number(),
    transformations: z.number(),
    deliveredBytes: z.number(),
    limits: z.object({
      maxStoredBytes: z.number().nullable(),
      maxImages: z.number().nullable(),
      maxUploadsPerPeriod: z.number().nullable(),
      maxTransformationsPerPeriod: z.number().nullable(),
      maxDeliveredBytesPerPeriod: z.number().nullable(),
    }),
  })
  .meta({ id: 'Usage' });

const point = {
  uploads: z.number(),
  transformations: z.number(),
  requests: z.number(),
  transferBytes: z.number(),
  cacheHits: z.number(),
  cacheMisses: z.number(),
  cacheHitRatio: z.number().nullable(),
};
export const metricsSchema = z
  .object({
    environmentId: z.string(),
    granularity: z.enum(['hour', 'day']),
    from: z.string(),
    to: z.string(),
    points: z.array(z.object({ start: z.string(), ...point, storageBytes: z.number().nullable() })),
    totals: z.object(point),
  })
  .meta({ id: 'Metrics' });

export const errorSchema = z
  .object({ error: z.string().meta({ description: 'Stable code.' }), message: z.string(), field: z.string().optional() })
  .meta({ id: 'Error' });
