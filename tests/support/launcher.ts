import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.ts';

export interface LaunchedFrameport {
  child: ChildProcess;
  output: () => string;
  urls: { auth: string; mcp: string; api: string };
  /**
   * Sends SIGINT (Ctrl-C) and resolves once the process has gone: whether the launcher closed
   * cleanly ("Stopped." and exit 0 of the launcher itself). pnpm, between the test and the
   * launcher, sometimes reports its own exit as the SIGINT it forwarded; that says nothing about
   * Frameport, so it is not counted against it.
   */
  stop(): Promise<boolean>;
}

/** Starts the product exactly as README says (`pnpm start`), on free ports, and waits for its banner. */
export async function launchFrameport(env: Record<string, string>, timeoutMs = 60_000): Promise<LaunchedFrameport> {
  const [auth, mcp, api] = [await freePort(), await freePort(), await freePort()];
  const child = spawn('pnpm', ['start'], {
    cwd: new URL('../..', import.meta.url),
    env: { ...process.env, AUTH_PORT: String(auth), MCP_PORT: String(mcp), API_PORT: String(api), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`launcher did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      if (output.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`launcher exited with ${code} before starting:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    urls: { auth: `http://localhost:${auth}`, mcp: `http://localhost:${mcp}/mcp`, api: `http://localhost:${api}` },
    async stop() {
      // pnpm forwards SIGINT to the launcher, as a terminal's Ctrl-C would.
      child.kill('SIGINT');
      const { code, signal } = await exited;
      const clean = (code === 0 || signal === 'SIGINT') && /SIGINT: stopping Frameport\.\.\.\nStopped\.\n/.test(output);
      if (!clean) output += `\n[exit code ${code}, signal ${signal}]`;
      return clean;
    },
  };
}
