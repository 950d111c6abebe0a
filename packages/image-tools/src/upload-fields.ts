import { z } from 'zod';

/** Fields both upload tools accept, with the platform's limits. */
export const uploadFields = {
  purpose: z.string().trim().min(1).max(100).optional().describe('What the image is for, e.g. "avatar"; list_images can filter by it.'),
  metadata: z
    .record(z.string().min(1).max(64), z.union([z.string().max(1024), z.number(), z.boolean()]))
    .optional()
    .describe('Up to 50 custom key/value pairs stored with the image.'),
  idempotencyKey: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .optional()
    .describe('Retry-safe key: the same key in the same Environment returns the first upload instead of creating another.'),
};
