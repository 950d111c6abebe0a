import type { FastifyReply } from 'fastify';

export type FormBody = Record<string, string | string[] | undefined>;

/** A form field that may arrive repeated: the first value counts. */
export const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Dashboard pages carry CSRF tokens and, once, secrets: never cached. */
export function sendHtml(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}
