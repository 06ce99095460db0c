import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken, type TokenClaims } from '../auth/jwt.js';

const MAIN = join(process.cwd(), 'apps/gateway/src/main.ts');

export interface GraphQLReply<T = Record<string, unknown>> {
  status: number;
  data: T | null;
  errors: Array<{ message: string; path?: string[]; extensions: { code: string } & Record<string, unknown> }>;
}

export interface Harness {
  url: string;
  graphqlUrl: string;
  dataDir: string;
  secret: string;
  child: ChildProcess;
  token(claims: TokenClaims, ttl?: string | number): Promise<string>;
  /** POSTs one GraphQL request and returns status, data and errors (never throws on errors). */
  gql<T = Record<string, unknown>>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLReply<T>>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * The real server (`apps/gateway/src/main.ts`, as `npm start` runs it) in a child process, on
 * a free port over a fresh temporary DATA_DIR. A child process rather than in-process: Mercurius
 * loads ESM-only packages through `require`, which jest's module runtime cannot do on Node 20.
 */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracedesk-gateway-'));
  const secret = randomBytes(32).toString('base64url');
  const child = fork(MAIN, [], {
    execArgv: ['--import', '@swc-node/register/esm-register', '--no-warnings'],
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      JWT_SECRET: secret,
      LOG_LEVEL: 'silent',
      EVENT_STORE_URL: '',
      READ_MODEL_URL: '',
      SLA_WATCHER_INTERVAL_MS: '200',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code} before it was ready: ${stderr}`)));
  });
  const key = new TextEncoder().encode(secret);
  let stopped: Promise<number | null> | null = null;
  const stop = (): Promise<number | null> => {
    stopped ??= (child.exitCode !== null ? Promise.resolve(child.exitCode) : (child.kill('SIGTERM'), exited));
    return stopped;
  };
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    dataDir,
    secret,
    child,
    token: (claims, ttl) => signToken(key, claims, ttl),
    async gql<T>(token: string | null, query: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token !== null && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T | null; errors?: GraphQLReply['errors'] };
      return { status: response.status, data: body.data ?? null, errors: body.errors ?? [] };
    },
    stop,
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
