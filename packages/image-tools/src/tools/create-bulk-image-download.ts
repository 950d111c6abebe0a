import { createDownloadJob, MAX_DOWNLOAD_IMAGES } from '@frameport/platform';
import { z } from 'zod';
import { defineTool, SCOPES, scopeOf } from '../define-tool.ts';
import { describeDownload, downloadOutput, downloadShape } from '../shapes.ts';

export default defineTool(
  {
    name: 'create_bulk_image_download',
    title: 'Create a bulk image download',
    description:
      `Starts building a zip archive of up to ${MAX_DOWNLOAD_IMAGES} READY images of the linked Environment (originals). ` +
      'The archive is built in the background: next, call retrieve_bulk_image_download with the returned id and waitUntilReady: true ' +
      'until it is READY, then give the user downloadUrl (valid 24 hours). Ids that are not READY images of this Environment are named in the error.',
    input: z.object({
      imageIds: z
        .array(z.string().trim().min(1).max(100))
        .min(1)
        .max(MAX_DOWNLOAD_IMAGES)
        .describe(`Ids (img_…) of READY images of the linked Environment, 1–${MAX_DOWNLOAD_IMAGES}.`),
    }),
    output: z.object({ download: downloadShape }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    requiredScope: SCOPES.write,
    needsEnvironment: true,
    render: (o) => describeDownload(o.download),
  },
  async (args, ctx) => ({ download: downloadOutput(await createDownloadJob(ctx.services.images, scopeOf(ctx), args)) }),
);
