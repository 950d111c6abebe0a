import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { PlatformError } from '../errors.ts';
import { classifyAddress, ipLiteral, type AddressPolicy } from './address-policy.ts';

export interface SafeFetchOptions extends AddressPolicy {
  /** Body cap, enforced while streaming (Content-Length is only an early hint). Default 100 MiB. */
  maxBytes?: number;
  /** Whole-fetch deadline including redirects and body. Default 30 s. */
  timeoutMs?: number;
  /** Default 3. */
  maxRedirects?: number;
  /** Only `https:` for fetches that must not go in the clear (e.g. client metadata documents). */
  protocols?: readonly ('http:' | 'https:')[];
  headers?: Record<string, string>;
}

export interface SafeFetchResponse {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  headers: Record<string, string>;
  /** The body; iterating it throws `too_large` past `maxBytes`. Consume or `cancel()` it. */
  body: AsyncIterable<Buffer>;
  cancel(): void;
}

/** Refusals are expected errors: the user gave the URL, the message says what is wrong with it. */
export class SafeFetchError extends PlatformError {
  readonly reason: 'invalid_url' | 'forbidden_address' | 'too_many_redirects' | 'too_large' | 'timeout' | 'unreachable' | 'http_status';
  constructor(reason: SafeFetchError['reason'], message: string, cause?: unknown) {
    super(reason === 'too_large' ? 'limit_exceeded' : 'invalid_input', message, { field: 'url', cause });
    this.reason = reason;
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * A DNS lookup that refuses forbidden addresses and hands the socket only the addresses it
 * checked, so the connection goes to what was validated (no re-resolution, no DNS rebinding).
 * undici asks with `{ all: true }` (happy eyeballs); answer in the shape asked for.
 */
function guardedLookup(policy: AddressPolicy): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error);
      for (const a of addresses) {
        const verdict = classifyAddress(a.address, policy);
        if (!verdict.allowed) {
          return callback(new SafeFetchError('forbidden_address', `${hostname} resolves to a ${verdict.range} address (${a.address}), which Frameport does not fetch from.`));
        }
      }
      if (addresses.length === 0) return callback(new SafeFetchError('unreachable', `${hostname} does not resolve.`));
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as LookupFunction;
}

function checkUrl(raw: string, protocols: readonly string[], policy: AddressPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SafeFetchError('invalid_url', 'The URL is not a valid absolute URL.');
  }
  if (!protocols.includes(url.protocol)) {
    throw new SafeFetchError('invalid_url', `Only ${protocols.map((p) => p.replace(':', '')).join(' and ')} URLs can be fetched, not ${url.protocol.replace(':', '')}.`);
  }
  if (url.username || url.password) throw new SafeFetchError('invalid_url', 'URLs with credentials are not fetched.');
  // An IP literal never goes through DNS, so the lookup hook would not see it: judge it here.
  const literal = ipLiteral(url.hostname);
  if (literal) {
    const verdict = classifyAddress(literal, policy);
    if (!verdict.allowed) {
      throw new SafeFetchError('forbidden_address', `${literal} is a ${verdict.range} address, which Frameport does not fetch from.`);
    }
  }
  return url;
}

/**
 * GET a user-given URL with the SSRF guard: http(s) only, every hop's addresses checked (literal or
 * resolved), redirects followed by hand and re-checked, a deadline and a streaming size cap.
 * The one module every outbound fetch of a user-given URL goes through.
 */
export async function safeFetch(rawUrl: string, options: SafeFetchOptions = {}): Promise<SafeFetchResponse> {
  const maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 3;
  const protocols = options.protocols ?? ['http:', 'https:'];
  const timeoutMs = options.timeoutMs ?? 30_000;
  const policy: AddressPolicy = { allowCidrs: options.allowCidrs ?? [] };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const agent = new Agent({ connect: { lookup: guardedLookup(policy), timeout: Math.min(timeoutMs, 10_000) }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const release = () => {
    clearTimeout(timer);
    void agent.close().catch(() => {});
  };

  let url = checkUrl(rawUrl, protocols, policy);
  try {
    for (let hop = 0; ; hop++) {
      let response;
      try {
        response = await request(url, {
          method: 'GET',
          dispatcher: agent,
          signal: controller.signal,
          headers: { 'user-agent': 'Frameport-Fetcher/1.0', accept: 'image/*,*/*;q=0.5', ...options.headers },
        });
      } catch (error) {
        throw toFetchError(error, controller.signal, url);
      }
      if (REDIRECTS.has(response.statusCode)) {
        discard(response.body);
        const location = response.headers.location;
        if (typeof location !== 'string') throw new SafeFetchError('unreachable', `${url.host} answered ${response.statusCode} without a Location.`);
        if (hop >= maxRedirects) throw new SafeFetchError('too_many_redirects', `More than ${maxRedirects} redirects.`);
        url = checkUrl(new URL(location, url).toString(), protocols, policy);
        continue;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(response.headers)) if (typeof v === 'string') headers[k] = v;
      const declared = Number(headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(response.body);
        throw new SafeFetchError('too_large', `The file is ${declared} bytes; the limit is ${maxBytes}.`);
      }
      const body = response.body;
      const signal = controller.signal;
      const finalUrl = url.toString();
      async function* capped(): AsyncGenerator<Buffer> {
        let total = 0;
        try {
          for await (const chunk of body) {
            total += (chunk as Buffer).length;
            if (total > maxBytes) throw new SafeFetchError('too_large', `The file is larger than the limit of ${maxBytes} bytes.`);
            yield chunk as Buffer;
          }
        } catch (error) {
          throw toFetchError(error, signal, new URL(finalUrl));
        } finally {
          discard(body);
          release();
        }
      }
      return {
        url: finalUrl,
        status: response.statusCode,
        headers,
        body: capped(),
        cancel: () => {
          discard(body);
          release();
        },
      };
    }
  } catch (error) {
    release();
    throw error;
  }
}

/** Destroying an undici body emits an abort error; nobody is listening for it by then. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => {});
  body.destroy();
}

function toFetchError(error: unknown, signal: AbortSignal, url: URL): unknown {
  if (error instanceof SafeFetchError) return error;
  // undici wraps connect errors; a refusal from the lookup hook arrives as the cause.
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if (e instanceof SafeFetchError) return e;
  }
  if (signal.aborted) return new SafeFetchError('timeout', `Fetching ${url.host} took too long.`, error);
  return new SafeFetchError('unreachable', `Could not fetch from ${url.host}.`, error);
}

/** Reads a whole body (already capped by `safeFetch`). */
export async function readBody(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}
