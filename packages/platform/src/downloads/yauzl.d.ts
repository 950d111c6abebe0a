// yauzl ships no types and no @types package is published for 3.x; only what the tests call.
declare module 'yauzl' {
  import type { EventEmitter } from 'node:events';
  export interface Entry {
    fileName: string;
    uncompressedSize: number;
  }
  export interface ZipFile extends EventEmitter {
    readEntry(): void;
  }
  export function fromBuffer(buffer: Buffer, options: { lazyEntries?: boolean }, callback: (error: Error | null, zip: ZipFile) => void): void;
}
