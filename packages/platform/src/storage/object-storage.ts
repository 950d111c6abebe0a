import type { Readable } from 'node:stream';

export type StorageBody = Buffer | AsyncIterable<Buffer> | Readable;

export interface PutOptions {
  contentType?: string;
}

/**
 * Where bytes live: originals, rendered variants and download archives. Keys are `/`-separated
 * and built only by the platform (never from user input). A `put` is atomic: a reader sees the
 * whole object or none, so a crash mid-write never leaves a half file under a real key.
 */
export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  put(key: string, body: StorageBody, options?: PutOptions): Promise<{ sizeBytes: number }>;
  /** A stream of the object, or null when it does not exist. */
  get(key: string): Promise<Readable | null>;
  head(key: string): Promise<{ sizeBytes: number } | null>;
  delete(key: string): Promise<void>;
  /** Deletes every object under `prefix` (which ends with `/`). */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * A URL the client uploads to directly, when the backend has its own signing (S3); null means
   * the API serves an HMAC-signed upload target itself.
   */
  presignPut(key: string, options: { contentType: string; expiresInSeconds: number }): Promise<string | null>;
  /** Likewise for downloads. */
  presignGet(key: string, options: { expiresInSeconds: number; fileName?: string }): Promise<string | null>;
}

export async function readAll(stream: AsyncIterable<Buffer | Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
