import { getDownloadJob } from '@frameport/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineTool, SCOPES, scopeOf } from '../define-tool.ts';
import { describeDownload, downloadOutput, downloadShape, progressReporter, waitFields } from '../shapes.ts';

const POLL_MS = 250;

export default defineTool(
  {
    name: 'retrieve_bulk_image_download',
    title: 'Retrieve a bulk image download',
    description:
      'Returns a bulk download created with create_bulk_image_download: its status and, once READY, the signed downloadUrl of the zip (valid 24 hours). ' +
      'Call it with waitUntilReady: true to wait while the archive is built; if timedOut is true, call it again. FAILED gives the reason.',
    input: z.object({
      downloadId: z.string().trim().min(1).max(100).describe('The download id (dl_…).'),
      ...waitFields,
    }),
    output: z.object({
      download: downloadShape,
      timedOut: z.boolean().describe('True when waitUntilReady was asked and the archive was still being built at the timeout.'),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScope: SCOPES.read,
    needsEnvironment: true,
    render: (o) => `${describeDownload(o.download)}${o.timedOut ? ' Still building: call again with waitUntilReady.' : ''}`,
  },
  async (args, ctx) => {
    const scope = scopeOf(ctx);
    const started = Date.now();
    const timeoutMs = args.timeoutSeconds * 1000;
    const progress = progressReporter(ctx.reportProgress, timeoutMs);
    for (;;) {
      const job = await getDownloadJob(ctx.services.images, scope, args.downloadId);
      const building = job.status === 'PENDING' || job.status === 'PROCESSING';
      const elapsed = Date.now() - started;
      if (!building || !args.waitUntilReady || elapsed >= timeoutMs || ctx.signal.aborted) {
        return { download: downloadOutput(job), timedOut: building && args.waitUntilReady };
      }
      await progress(elapsed, `Download ${job.id} is ${job.status}.`);
      await sleep(Math.min(POLL_MS, timeoutMs - elapsed));
    }
  },
);
