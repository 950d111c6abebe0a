import { createUpload, MAX_UPLOAD_BYTES } from '@frameport/platform';
import { z } from 'zod';
import { defineTool, SCOPES, scopeOf } from '../define-tool.ts';
import { describeImage, imageOutput, imageShape } from '../shapes.ts';
import { uploadFields } from '../upload-fields.ts';

export default defineTool(
  {
    name: 'upload_image',
    title: 'Start an image upload',
    description:
      'Creates an image record in the linked Environment and returns a single-use presigned PUT URL (valid 15 minutes) with the exact headers to send. ' +
      'Use it for a file on disk: next, PUT the file bytes to upload.url with exactly upload.headers (e.g. curl -X PUT -H "content-type: image/png" --data-binary @file URL), ' +
      'then call retrieve_image with waitUntilReady until the status is READY. The body must be exactly contentLength bytes.',
    input: z.object({
      fileName: z.string().trim().min(1).max(255).describe('The file name, e.g. hero.png.'),
      contentLength: z.number().int().min(1).max(MAX_UPLOAD_BYTES).describe('Exact size of the file in bytes.'),
      mimeType: z
        .string()
        .regex(/^image\/[a-z0-9.+-]+$/i, 'must be an image/* media type')
        .optional()
        .describe('Media type of the file, e.g. image/png; sent back as the content-type header to use.'),
      sha256: z
        .string()
        .regex(/^[a-f0-9]{64}$/i, 'must be 64 hex characters')
        .optional()
        .describe('Hex SHA-256 of the file; the upload is quarantined when the bytes do not match.'),
      ...uploadFields,
    }),
    output: z.object({
      image: imageShape,
      upload: z
        .object({
          method: z.literal('PUT'),
          url: z.string().describe('Where to PUT the bytes (single use).'),
          headers: z.record(z.string(), z.string()).describe('Headers the PUT must carry, exactly.'),
          expiresAt: z.string(),
        })
        .nullable()
        .describe('Null when an idempotent retry finds the upload already used or finished.'),
      existing: z.boolean().describe('True when idempotencyKey matched an earlier upload.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    requiredScope: SCOPES.write,
    needsEnvironment: true,
    render: (o) =>
      o.upload
        ? `Image ${o.image.id} created (${o.image.status}). PUT the ${o.image.fileName} bytes to ${o.upload.url} with headers ` +
          `${Object.entries(o.upload.headers)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')} before ${o.upload.expiresAt}, then call retrieve_image with waitUntilReady.`
        : `Existing image ${describeImage(o.image)}; its upload URL was already used.`,
  },
  async (args, ctx) => {
    const { image, upload, existing } = await createUpload(ctx.services.images, scopeOf(ctx), args);
    return { image: imageOutput(image), upload, existing };
  },
);
