/**
 * Test support: "the internet" on this machine. An https origin with a test-generated self-signed
 * certificate (for `localhost` and 127.0.0.1) serving an agent's Client ID Metadata Document and
 * the images agents ask Frameport to fetch. Processes that must trust it get NODE_EXTRA_CA_CERTS.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface LocalHttps {
  origin: string;
  /** PEM file of the certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** Serve `body` at `path` from now on. */
  route(path: string, type: string, body: Buffer | string, headers?: Record<string, string>): void;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startLocalHttps(dir: string): Promise<LocalHttps> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const caFile = join(dir, 'local-ca.pem');
  await writeFile(caFile, pems.cert);
  const routes = new Map<string, { type: string; body: Buffer | string; headers: Record<string, string> }>();
  const requests: string[] = [];
  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    requests.push(path);
    const route = routes.get(path);
    if (!route) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': route.type, ...route.headers }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `https://localhost:${port}`,
    caFile,
    requests,
    route: (path, type, body, headers = {}) => routes.set(path, { type, body, headers }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
