/**
 * CDN delivery speed, measured with autocannon against a real apps/api listening on loopback
 * (embedded PGlite, local storage). Every target runs in the same process and run as the
 * baseline, `/healthz` (routing plus one trivial query), and is reported as a ratio of it, so
 * the numbers compare across machines. `pnpm bench [seconds per target]`.
 */
import autocannon from 'autocannon';
import { createAccount, eventually, makeImage, startTestApi, uploadViaHttp } from '../apps/api/src/test-support.ts';

const seconds = Number(process.argv[2] ?? 3);
const api = await startTestApi();
try {
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(api.app.server.address() as { port: number }).port}`;
  const account = await createAccount(api.database);
  const { image } = await uploadViaHttp(api.app, account.development.key, await makeImage('jpeg', 1600, 1200));
  const auth = { authorization: `Bearer ${account.development.key}` };
  const ready = await eventually(async () => {
    const res = await fetch(`${base}/api/v1/images/${image.id}`, { headers: auth });
    const body = (await res.json()) as { status: string; url: string | null };
    return body.status === 'READY' && body;
  });
  const cdn = new URL(ready.url!).pathname;

  const targets: { name: string; path: string; headers?: Record<string, string> }[] = [
    { name: 'baseline: GET /healthz', path: '/healthz' },
    { name: 'original (1600×1200 JPEG)', path: cdn },
    { name: 'stored variant @thumbnail', path: `${cdn}@thumbnail` },
    { name: 'stored variant ?w=640&format=webp', path: `${cdn}?w=640&format=webp` },
    { name: 'REST GET /api/v1/images/:id', path: `/api/v1/images/${image.id}`, headers: auth },
  ];
  // Render each variant once first: the bench measures delivery from storage, not the first render.
  for (const t of targets) {
    const res = await fetch(base + t.path, { headers: t.headers });
    if (!res.ok) throw new Error(`${t.path}: ${res.status} ${await res.text()}`);
  }

  const rows: { name: string; rps: number; p99: number; errors: number }[] = [];
  for (const t of targets) {
    const result = await autocannon({ url: base + t.path, headers: t.headers, connections: 10, duration: seconds });
    rows.push({ name: t.name, rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx });
  }
  const baseline = rows[0]!;
  console.log(`\nCDN delivery, ${seconds} s per target, 10 connections, loopback:\n`);
  console.log('target'.padEnd(38), 'req/s'.padStart(9), 'vs baseline'.padStart(12), 'p99 ms'.padStart(8), 'errors'.padStart(7));
  for (const r of rows) {
    console.log(r.name.padEnd(38), r.rps.toFixed(0).padStart(9), `${(r.rps / baseline.rps).toFixed(2)}×`.padStart(12), String(r.p99).padStart(8), String(r.errors).padStart(7));
  }
} finally {
  await api.close();
}
