// yauzl ships no types; packages/platform declares what it uses. The tests also read entries.
declare module 'yauzl' {
  interface ZipFile {
    openReadStream(entry: Entry, callback: (error: Error | null, stream: import('node:stream').Readable) => void): void;
  }
}
