import { uploadFromUrl } from '@frameport/platform';
import { z } from 'zod';
import { defineTool, SCOPES, scopeOf } from '../define-tool.ts';
import { describeImage, imageOutput, imageShape } from '../shapes.ts';
import { uploadFields } from '../upload-fields.ts';

export default defineTool(
  {
    name: 'upload_image_via_url',
    title: 'Upload an image from a URL',
    description:
      'Fetches an image from a public http(s) URL into the linked Environment, checks and processes it, and returns the image record. ' +
      'Use it when the image is already online; for a local file use upload_image. Private and loopback addresses are refused. ' +
      'The result is usually READY already; if it is PENDING or PROCESSING, call retrieve_image with waitUntilReady. ' +
      'QUARANTINE or FAILED carry the reason in statusReason. Then use get_image_url for delivery URLs.',
    input: z.object({
      url: z.string().min(1).max(4096).describe('The http(s) URL of the image.'),
      fileName: z.string().trim().min(1).max(255).optional().describe('File name to record; defaults to the last path segment of the URL.'),
      ...uploadFields,
    }),
    output: z.object({
      image: imageShape,
      existing: z.boolean().describe('True when idempotencyKey matched an earlier upload, which is returned unchanged.'),
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    requiredScope: SCOPES.write,
    needsEnvironment: true,
    render: (o) => `${o.existing ? 'Existing image' : 'Uploaded'} ${describeImage(o.image)}`,
  },
  async (args, ctx) => {
    const { image, existing } = await uploadFromUrl(ctx.services.images, scopeOf(ctx), args);
    return { image: imageOutput(image), existing };
  },
);
