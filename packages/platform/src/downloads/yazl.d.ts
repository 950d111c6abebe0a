// yazl ships no types and no @types package is published for 3.x; only what we call.
declare module 'yazl' {
  import type { Readable } from 'node:stream';
  export class ZipFile {
    outputStream: Readable;
    addReadStream(stream: Readable, name: string, options?: { compress?: boolean; mtime?: Date; size?: number }): void;
    addReadStreamLazy(name: string, options: { compress?: boolean; mtime?: Date }, get: (cb: (error: Error | null, stream?: Readable) => void) => void): void;
    on(event: 'error', listener: (error: Error) => void): this;
    addBuffer(buffer: Buffer, name: string, options?: { compress?: boolean; mtime?: Date }): void;
    end(): void;
  }
}
