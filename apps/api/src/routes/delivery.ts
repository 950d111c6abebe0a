import type { Readable } from 'node:stream';
import {
  deliverImage,
  findArchive,
  PlatformError,
  receiveUpload,
  recordDelivery,
  verifyPath,
} from '@frameport/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiServices } from '../services.ts';

function rawQuery(request: FastifyRequest): string {
  const i = request.url.indexOf('?');
  return i === -1 ? '' : request.url.slice(i + 1);
}

/** RFC 9110 §13.1.2: If-None-Match is a list of entity tags (weak comparison) or `*`. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function checkSignature(services: ApiServices, request: FastifyRequest, method: string, path: string): void {
  const verdict = verifyPath(services.ctx.signingSecret, method, path, request.query as Record<string, unknown>);
  if (verdict === 'expired') throw new PlatformError('forbidden', 'This signed URL has expired. Ask for a new one.');
  if (verdict !== 'valid') throw new PlatformError('forbidden', 'This URL is not validly signed.');
}

/** The CDN, the HMAC-signed local upload target and the local archive download. */
export async function deliveryRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { ctx } = services;

  app.get<{ Params: { organizationId: string; environmentId: string; imageRef: string } }>(
    '/cdn/:organizationId/:environmentId/:imageRef',
    async (request, reply) => {
      const { organizationId, environmentId, imageRef } = request.params;
      const scope = { organizationId, environmentId };
      let delivery;
      try {
        delivery = await deliverImage(ctx, { ...scope, imageRef, query: rawQuery(request), accept: request.headers.accept });
      } catch (error) {
        if (error instanceof PlatformError && error.code === 'not_found') reply.header('cache-control', 'no-store');
        throw error;
      }
      reply
        .header('etag', delivery.etag)
        .header('cache-control', delivery.cacheControl)
        .header('access-control-allow-origin', '*')
        .header('x-content-type-options', 'nosniff');
      if (delivery.vary) reply.header('vary', delivery.vary);
      if (matches(request.headers['if-none-match'], delivery.etag)) {
        delivery.body.destroy();
        recordDelivery(ctx, scope, { sizeBytes: 0, cacheHit: null });
        return reply.code(304).send();
      }
      reply.header('content-type', delivery.contentType).header('content-length', delivery.sizeBytes);
      // HEAD: fastify sends the headers (Content-Length included) and discards the stream.
      recordDelivery(ctx, scope, { sizeBytes: request.method === 'HEAD' ? 0 : delivery.sizeBytes, cacheHit: delivery.cacheHit });
      return reply.send(delivery.body);
    },
  );

  // The upload target takes any content type as a raw stream; only this encapsulated context.
  await app.register(async (uploads) => {
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    uploads.options('/uploads/:imageId', async (request, reply) =>
      reply
        .header('access-control-allow-origin', request.headers.origin ?? '*')
        .header('access-control-allow-methods', 'PUT')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', '600')
        .code(204)
        .send(),
    );
    uploads.put<{ Params: { imageId: string } }>('/uploads/:imageId', async (request: FastifyRequest<{ Params: { imageId: string } }>, reply: FastifyReply) => {
      checkSignature(services, request, 'PUT', `/uploads/${request.params.imageId}`);
      if (request.headers.origin) reply.header('access-control-allow-origin', request.headers.origin);
      // No Content-Type (e.g. `curl -T`): no parser ran and the raw request is the body.
      const body = (request.body as Readable | undefined) ?? request.raw;
      const image = await receiveUpload(ctx, request.params.imageId, body as AsyncIterable<Buffer>);
      return reply.code(200).send(image);
    });
  });

  app.get<{ Params: { downloadId: string } }>('/downloads/:downloadId/archive', async (request, reply) => {
    checkSignature(services, request, 'GET', `/downloads/${request.params.downloadId}/archive`);
    const job = await findArchive(ctx, request.params.downloadId);
    const body = job && (await ctx.storage.get(job.storageKey!));
    if (!job || !body) throw new PlatformError('not_found', 'This download is no longer available.');
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="frameport-${job.id}.zip"`)
      .header('cache-control', 'private, no-store')
      .send(body);
  });
}
