import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectStorage, PutOptions, StorageBody } from './object-storage.ts';

/** Files under one root directory (the embedded default: `<FRAMEPORT_DATA_DIR>/storage`). */
export class LocalStorage implements ObjectStorage {
  readonly kind = 'local' as const;
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep) || key.includes('..')) throw new Error(`Invalid storage key: ${key}`);
    return path;
  }

  async put(key: string, body: StorageBody, _options?: PutOptions): Promise<{ sizeBytes: number }> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    // Write beside the target and rename: rename(2) is atomic on one filesystem, so readers and a
    // crash see the old object or the complete new one, never a partial file.
    const temp = `${path}.${randomBytes(6).toString('hex')}.partial`;
    let sizeBytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sizeBytes += chunk.length;
        done(null, chunk);
      },
    });
    try {
      const source = Buffer.isBuffer(body) ? Readable.from([body]) : Readable.from(body as AsyncIterable<Buffer>);
      await pipeline(source, counter, createWriteStream(temp));
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
    return { sizeBytes };
  }

  async get(key: string): Promise<Readable | null> {
    const path = this.path(key);
    try {
      await stat(path);
    } catch {
      return null;
    }
    return createReadStream(path);
  }

  async head(key: string): Promise<{ sizeBytes: number } | null> {
    try {
      const s = await stat(this.path(key));
      return s.isFile() ? { sizeBytes: s.size } : null;
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(join(this.root, prefix), { recursive: true, force: true });
  }

  async presignPut(): Promise<null> {
    return null;
  }

  async presignGet(): Promise<null> {
    return null;
  }
}
