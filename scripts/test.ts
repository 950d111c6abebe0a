/**
 * The test command: every suite on embedded PGlite, then again on PostgreSQL when DATABASE_URL
 * is set (each test file gets its own database on that server, dropped afterwards). Extra
 * arguments go to vitest (`pnpm test apps/auth`). Ends with one plain "N passed, N failed" line.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface Pass {
  name: string;
  env: Record<string, string>;
}

const passes: Pass[] = [{ name: 'pglite', env: {} }];
if (process.env.DATABASE_URL) passes.push({ name: 'postgres', env: { FRAMEPORT_TEST_DATABASE_URL: process.env.DATABASE_URL } });

const outputDir = join(process.cwd(), 'test-output');
await mkdir(outputDir, { recursive: true });

function run(pass: Pass, report: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...pass.env, FRAMEPORT_TEST_PASS: pass.name };
  // Apps under test get their database from the test helpers, never from the caller's shell.
  delete env.DATABASE_URL;
  const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['exec', ...args], { stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let passed = 0;
let failed = 0;
let exitCode = 0;
for (const pass of passes) {
  console.log(`\n=== tests on ${pass.name} ===\n`);
  const report = join(outputDir, `vitest-${pass.name}.json`);
  const code = await run(pass, report);
  let counts = { numPassedTests: 0, numFailedTests: 0, numTotalTests: 0 };
  try {
    counts = JSON.parse(await readFile(report, 'utf8'));
  } catch {
    console.error(`No test report from the ${pass.name} pass.`);
    exitCode = 1;
  }
  console.log(`${pass.name}: ${counts.numPassedTests} passed, ${counts.numFailedTests} failed`);
  passed += counts.numPassedTests;
  failed += counts.numFailedTests;
  if (code !== 0) exitCode = code;
  if (counts.numTotalTests === 0) {
    console.error(`The ${pass.name} pass ran no test.`);
    exitCode = 1;
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : exitCode);
