import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress } from './address-policy.ts';
import { readBody, safeFetch, SafeFetchError } from './safe-fetch.ts';

let server: Server;
let base: string;
const LOOPBACK = { allowCidrs: ['127.0.0.1/32'] };

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/ok') return res.end('hello');
    if (url.pathname === '/hop') {
      const n = Number(url.searchParams.get('n'));
      return res.writeHead(302, { location: n > 0 ? `/hop?n=${n - 1}` : '/ok' }).end();
    }
    if (url.pathname === '/redirect') return res.writeHead(307, { location: url.searchParams.get('to')! }).end();
    if (url.pathname === '/big') {
      // Chunked, no Content-Length: the cap must hold while streaming.
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const pump = () => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    if (url.pathname === '/declared-big') return res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) }).end();
    if (url.pathname === '/slow') return setTimeout(() => res.end('late'), 2_000);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function refusal(url: string, options = {}): Promise<SafeFetchError> {
  try {
    const response = await safeFetch(url, options);
    await readBody(response.body);
  } catch (error) {
    expect(error).toBeInstanceOf(SafeFetchError);
    return error as SafeFetchError;
  }
  throw new Error(`${url} was fetched`);
}

describe('SSRF guard', () => {
  const forbidden: [string, string, string][] = [
    ['loopback v4', 'http://127.0.0.1/', 'loopback'],
    ['loopback v4, other address', 'http://127.8.9.10/', 'loopback'],
    ['loopback v4, integer form', 'http://2130706433/', 'loopback'],
    ['loopback v4, hex form', 'http://0x7f.1/', 'loopback'],
    ['loopback v6', 'http://[::1]/', 'loopback'],
    ['private 10/8', 'http://10.1.2.3/', 'private'],
    ['private 172.16/12', 'http://172.16.5.4/', 'private'],
    ['private 192.168/16', 'https://192.168.1.1/', 'private'],
    ['unique local v6', 'http://[fd12:3456::1]/', 'uniqueLocal'],
    ['link-local v4 (cloud metadata)', 'http://169.254.169.254/latest/meta-data/', 'linkLocal'],
    ['link-local v6', 'http://[fe80::1]/', 'linkLocal'],
    ['multicast v4', 'http://224.0.0.1/', 'multicast'],
    ['multicast v6', 'http://[ff02::1]/', 'multicast'],
    ['unspecified v4', 'http://0.0.0.0/', 'unspecified'],
    ['unspecified v6', 'http://[::]/', 'unspecified'],
    ['CGNAT 100.64/10', 'http://100.64.0.1/', 'carrierGradeNat'],
    ['IPv4-mapped v6', 'http://[::ffff:127.0.0.1]/', 'ipv4Mapped'],
    ['IPv4-mapped v6 of a private address', 'http://[::ffff:10.0.0.1]/', 'ipv4Mapped'],
    ['NAT64 embedding loopback', 'http://[64:ff9b::7f00:1]/', 'rfc6052'],
    ['broadcast', 'http://255.255.255.255/', 'broadcast'],
  ];
  it.each(forbidden)('refuses %s before connecting', async (_name, url, range) => {
    const error = await refusal(url);
    expect(error.reason).toBe('forbidden_address');
    expect(error.message).toContain(range);
    expect(error.code).toBe('invalid_input');
  });

  it('refuses a host name that resolves to a forbidden address (checked in the connect lookup)', async () => {
    const port = (server.address() as AddressInfo).port;
    const error = await refusal(`http://localhost:${port}/ok`);
    expect(error.reason).toBe('forbidden_address');
    expect(error.message).toMatch(/localhost resolves to a loopback address/);
  });

  it('refuses schemes other than http and https, and credentials in the URL', async () => {
    expect((await refusal('file:///etc/passwd')).reason).toBe('invalid_url');
    expect((await refusal('ftp://example.com/x.png')).reason).toBe('invalid_url');
    expect((await refusal('gopher://example.com/')).reason).toBe('invalid_url');
    expect((await refusal('http://user:pw@example.com/')).reason).toBe('invalid_url');
    expect((await refusal('not a url')).reason).toBe('invalid_url');
  });

  it('fetches from an explicitly allowed address', async () => {
    const response = await safeFetch(`${base}/ok`, LOOPBACK);
    expect(response.status).toBe(200);
    expect((await readBody(response.body)).toString()).toBe('hello');
  });

  it('follows up to 3 redirects and refuses the 4th', async () => {
    const ok = await safeFetch(`${base}/hop?n=2`, LOOPBACK);
    expect((await readBody(ok.body)).toString()).toBe('hello');
    expect(ok.url).toBe(`${base}/ok`);
    expect((await refusal(`${base}/hop?n=3`, LOOPBACK)).reason).toBe('too_many_redirects');
  });

  it('refuses a redirect into a forbidden address', async () => {
    for (const to of ['http://10.0.0.7/admin', 'http://169.254.169.254/', 'http://[::1]:8080/', 'http://[::ffff:192.168.0.1]/']) {
      const error = await refusal(`${base}/redirect?to=${encodeURIComponent(to)}`, LOOPBACK);
      expect(error.reason).toBe('forbidden_address');
    }
  });

  it('refuses a redirect to another scheme', async () => {
    const error = await refusal(`${base}/redirect?to=${encodeURIComponent('file:///etc/passwd')}`, LOOPBACK);
    expect(error.reason).toBe('invalid_url');
  });

  it('enforces the size cap while streaming, and early when Content-Length says so', async () => {
    const streamed = await refusal(`${base}/big`, { ...LOOPBACK, maxBytes: 1024 * 1024 });
    expect(streamed.reason).toBe('too_large');
    const declared = await refusal(`${base}/declared-big`, { ...LOOPBACK, maxBytes: 1024 * 1024 });
    expect(declared.reason).toBe('too_large');
  });

  it('gives up after the deadline', async () => {
    const error = await refusal(`${base}/slow`, { ...LOOPBACK, timeoutMs: 300 });
    expect(error.reason).toBe('timeout');
  });

  it('classifies public addresses as allowed', () => {
    expect(classifyAddress('93.184.216.34')).toEqual({ allowed: true, range: 'unicast' });
    expect(classifyAddress('2606:4700::1111').allowed).toBe(true);
    expect(classifyAddress('not-an-ip').allowed).toBe(false);
  });
});
