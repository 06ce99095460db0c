/**
 * The real server (`apps/gateway/src/main.ts`, as `npm start` runs it) started with a bad
 * configuration: it must say what is wrong, on stderr, in one line without a stack trace, and
 * exit non-zero within a bounded time — never listen (no "ready" over IPC, no "tracedesk is up")
 * with a part missing. And when the embedded read-model store becomes unusable at run time,
 * /health reports not-ready and recovers by itself once the store is back.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GATEWAY_MAIN, NODE_FLAGS, gql, health, sleep, startServer, tokenSigner, type ServerProcess } from './server-kit.js';

/** Longest a bad start may take before it has said what is wrong and exited. */
const EXIT_WITHIN_MS = 30_000;
const SECRET = 'bad-configuration-test-secret-0123456789';

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
  becameReady: boolean;
  ms: number;
}

/** Starts main.ts with `env` (optionally through `sh -c` or as another user) and waits for it to exit. */
function start(env: Record<string, string>, options: { shellPrefix?: string; uid?: number } = {}): Promise<Outcome> {
  const started = Date.now();
  const fullEnv = { ...process.env, PORT: '0', JWT_SECRET: SECRET, LOG_LEVEL: 'warn', EVENT_STORE_URL: '', READ_MODEL_URL: '', ...env };
  const child = options.shellPrefix
    ? spawn('sh', ['-c', `${options.shellPrefix}; exec "$0" "$@"`, process.execPath, ...NODE_FLAGS, GATEWAY_MAIN], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    : spawn(process.execPath, [...NODE_FLAGS, GATEWAY_MAIN], {
        env: fullEnv,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        ...(options.uid !== undefined && { uid: options.uid, gid: options.uid }),
      });
  let stdout = '';
  let stderr = '';
  let becameReady = false;
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('message', () => (becameReady = true));
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_WITHIN_MS);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, stdout, becameReady, ms: Date.now() - started });
    }),
  );
}

/** What every refused start must look like: a clear one-line reason on stderr, a non-zero exit, nothing served. */
function expectRefusedStart(outcome: Outcome, reason: RegExp): void {
  const summary = `exit ${outcome.code ?? outcome.signal} after ${outcome.ms} ms; stderr: ${outcome.stderr}`;
  expect({ summary, ok: outcome.signal === null && outcome.code !== null && outcome.code !== 0 }).toEqual({ summary, ok: true });
  expect(outcome.becameReady).toBe(false);
  expect(outcome.stdout).not.toMatch(/tracedesk is up/);
  expect(outcome.stderr).toMatch(/^tracedesk gateway could not start: /);
  expect(outcome.stderr).toMatch(reason);
  // No stack trace for an operator's mistake.
  expect(outcome.stderr).not.toMatch(/^\s+at .+[:(]/m);
  expect(outcome.ms).toBeLessThan(EXIT_WITHIN_MS);
}

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const isRoot = process.getuid?.() === 0;
const figures: Array<{ case: string; exitCode: number | null; ms: number; message: string }> = [];
const record = (name: string, outcome: Outcome): void => {
  figures.push({ case: name, exitCode: outcome.code, ms: outcome.ms, message: outcome.stderr.trim() });
};

describe('the server started with a bad configuration says what is wrong and exits non-zero', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracedesk-bad-config-'));
    chmodSync(dir, 0o755); // the unprivileged-user case below must reach its DATA_DIR
  });

  afterAll(() => {
    process.stdout.write(`[bad-configuration] ${JSON.stringify(figures, null, 1)}\n`);
    mkdirSync(join(process.cwd(), 'tmp', 'reliability'), { recursive: true });
    writeFileSync(join(process.cwd(), 'tmp', 'reliability', 'bad-configuration.json'), `${JSON.stringify({ at: new Date().toISOString(), cases: figures }, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
  });

  const dataDir = (name: string): string => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };

  it('SLA_POLICY_FILE that is not JSON', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "version": "2026-11-22", "tiers": { ');
    const outcome = await start({ DATA_DIR: dataDir('policy-json'), SLA_POLICY_FILE: file });
    record('SLA_POLICY_FILE not JSON', outcome);
    expectRefusedStart(outcome, /SLA_POLICY_FILE .*broken\.json: is not valid JSON/);
  });

  it('SLA_POLICY_FILE that is JSON but not a valid policy (names the bad path in the file)', async () => {
    const file = join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify({ version: '2026-11-22', calendars: {}, tiers: { pro: { channels: ['WEB'], calendar: 'nowhere', targets: {} } } }));
    const outcome = await start({ DATA_DIR: dataDir('policy-schema'), SLA_POLICY_FILE: file });
    record('SLA_POLICY_FILE schema-invalid', outcome);
    expectRefusedStart(outcome, /SLA_POLICY_FILE .*invalid\.json: tiers\.pro\.calendar: .*nowhere/);
  });

  it('SLA_POLICY_FILE that does not exist', async () => {
    const outcome = await start({ DATA_DIR: dataDir('policy-missing'), SLA_POLICY_FILE: join(dir, 'missing.json') });
    record('SLA_POLICY_FILE missing', outcome);
    expectRefusedStart(outcome, /SLA_POLICY_FILE .*missing\.json: cannot be read/);
  });

  it('EVENT_STORE_URL pointing at an EventStoreDB that does not answer (closed port)', async () => {
    const url = `esdb://127.0.0.1:${await closedPort()}?tls=false`;
    const outcome = await start({ DATA_DIR: dataDir('esdb'), EVENT_STORE_URL: url, STORE_CONNECT_TIMEOUT_MS: '5000' });
    record('EventStoreDB unreachable', outcome);
    expectRefusedStart(outcome, new RegExp(`event store \\(EventStoreDB at EVENT_STORE_URL=${url.replace(/[.?]/g, '\\$&')}\\) is unreachable`));
  });

  it('READ_MODEL_URL pointing at a MongoDB that does not answer (closed port)', async () => {
    const url = `mongodb://127.0.0.1:${await closedPort()}/?serverSelectionTimeoutMS=1500`;
    const outcome = await start({ DATA_DIR: dataDir('mongo'), READ_MODEL_URL: url, STORE_CONNECT_TIMEOUT_MS: '5000' });
    record('MongoDB unreachable', outcome);
    expectRefusedStart(outcome, /read-model store \(MongoDB at READ_MODEL_URL=mongodb:\/\/127\.0\.0\.1:\d+\/.*\) is unreachable/);
  });

  it('MongoDB credentials never reach the message', async () => {
    const url = `mongodb://tracedesk:s3cr3t-pw@127.0.0.1:${await closedPort()}/?serverSelectionTimeoutMS=1000`;
    const outcome = await start({ DATA_DIR: dataDir('mongo-credentials'), READ_MODEL_URL: url, STORE_CONNECT_TIMEOUT_MS: '3000' });
    record('MongoDB unreachable, credentials in URL', outcome);
    expectRefusedStart(outcome, /READ_MODEL_URL=mongodb:\/\/\*\*\*@127\.0\.0\.1/);
    expect(outcome.stderr).not.toMatch(/s3cr3t-pw/);
  });

  // chmod 0555 stops nobody who runs as root (CI containers often do): then the server runs as
  // the unprivileged user `nobody` (uid 65534), for whom the directory really is read-only.
  it(`a read-only DATA_DIR (mode 0555${isRoot ? ', server run as uid 65534 since this test runs as root' : ''})`, async () => {
    const path = dataDir('read-only');
    chmodSync(path, 0o555);
    const outcome = await start({ DATA_DIR: path, HOME: dir }, isRoot ? { uid: 65534 } : {});
    record('DATA_DIR read-only', outcome);
    expectRefusedStart(outcome, /DATA_DIR .*\/read-only cannot be used: it is read-only for this process \(EACCES\)/);
  });

  it('a DATA_DIR that is a regular file, not a directory', async () => {
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, 'x');
    const outcome = await start({ DATA_DIR: file });
    record('DATA_DIR is a file', outcome);
    expectRefusedStart(outcome, /DATA_DIR .*not-a-directory cannot be used: it is not a directory/);
  });

  // No tmpfs without root: a file-size limit (RLIMIT_FSIZE, `ulimit -f`) makes every write past
  // it fail with EFBIG, as writes fail with ENOSPC on a full disk.
  it('a full DATA_DIR (simulated: file-size limit of 2 KiB, writes fail with EFBIG)', async () => {
    const outcome = await start({ DATA_DIR: dataDir('full') }, { shellPrefix: 'ulimit -f 4' });
    record('DATA_DIR full (RLIMIT_FSIZE)', outcome);
    expectRefusedStart(outcome, /DATA_DIR .*full cannot be used: its disk is full .*\(EFBIG\)/);
  });

  it('PORT=abc', async () => {
    const outcome = await start({ DATA_DIR: dataDir('port'), PORT: 'abc' });
    record('PORT=abc', outcome);
    expectRefusedStart(outcome, /PORT must be an integer from 0 to 65535 \(got "abc"\)/);
  });

  it('PROJECTION_BATCH_SIZE=-1', async () => {
    const outcome = await start({ DATA_DIR: dataDir('batch'), PROJECTION_BATCH_SIZE: '-1' });
    record('PROJECTION_BATCH_SIZE=-1', outcome);
    expectRefusedStart(outcome, /PROJECTION_BATCH_SIZE must be an integer from 1 to 10000 \(got "-1"\)/);
  });

  it('LOG_LEVEL, GATEWAY_RUN_WORKER and EVENT_STORE_URL with values that mean nothing', async () => {
    const level = await start({ DATA_DIR: dataDir('log-level'), LOG_LEVEL: 'loud' });
    record('LOG_LEVEL=loud', level);
    expectRefusedStart(level, /LOG_LEVEL must be one of .* \(got "loud"\)/);
    const worker = await start({ DATA_DIR: dataDir('run-worker'), GATEWAY_RUN_WORKER: 'flase' });
    record('GATEWAY_RUN_WORKER=flase', worker);
    expectRefusedStart(worker, /GATEWAY_RUN_WORKER must be true or false \(got "flase"\)/);
    const scheme = await start({ DATA_DIR: dataDir('esdb-scheme'), EVENT_STORE_URL: 'http://127.0.0.1:2113' });
    record('EVENT_STORE_URL=http://…', scheme);
    expectRefusedStart(scheme, /EVENT_STORE_URL must start with esdb:\/\/ or kurrentdb:\/\//);
  }, 90_000);

  it('a PORT another process already listens on', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const outcome = await start({ DATA_DIR: dataDir('port-taken'), PORT: String((taken.address() as { port: number }).port) });
      record('PORT in use', outcome);
      expectRefusedStart(outcome, /EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});

/**
 * At run time the embedded read-model store is made unusable by another process holding its
 * write lock (what a stuck backup or a second writer does): projections cannot commit, the lag
 * grows, /health answers 503 naming the lagging projections, and it is 200 again by itself
 * once the lock is gone — no restart, nothing lost.
 */
describe('the embedded read-model store unusable at run time', () => {
  let server: ServerProcess | undefined;
  let dir: string;

  afterAll(async () => {
    await server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('/health reports not-ready while the read models cannot be written, and recovers when they can', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracedesk-store-gone-'));
    const token = tokenSigner(SECRET);
    server = await startServer(dir, { JWT_SECRET: SECRET, READINESS_MAX_PROJECTION_LAG: '0', PROJECTION_BATCH_SIZE: '100' });
    const url = server.url;
    const admin = await token({ sub: 'root', role: 'admin' });
    const agent = await token({ sub: 'alice', role: 'agent' });
    const register = await gql(url, admin, 'mutation { registerOrganization(input: { id: "acme", name: "Acme", tier: "enterprise" }) { id } }');
    expect(register.errors).toEqual([]);
    await gql(url, admin, 'mutation { addContact(input: { organizationId: "acme", contactId: "kim", name: "Kim", email: "kim@acme.example", kind: STAFF }) { id } }');
    const customer = await token({ sub: 'kim', role: 'customer', org: 'acme' });
    const open = (): Promise<{ errors: unknown[] }> =>
      gql(url, customer, 'mutation { openTicket(input: { channel: WEB, type: QUESTION, title: "Lock", description: "while the read models are locked" }) { position } }');
    const waitFor = async (what: string, ok: () => Promise<boolean>, timeoutMs = 30_000): Promise<number> => {
      const started = Date.now();
      while (!(await ok())) {
        if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
        await sleep(100);
      }
      return Date.now() - started;
    };
    await waitFor('ready at start', async () => (await health(url)).status === 200);

    // Another process takes the read models' write lock and keeps it.
    const locker = new Database(join(dir, 'read-models.db'), { timeout: 10_000 });
    locker.exec('BEGIN EXCLUSIVE');
    const lockedFor = 7000; // longer than the store's 5 s busy timeout: batches fail and are retried meanwhile
    const polls: Array<{ status: number; lag: number; ms: number }> = [];
    try {
      // Writes still go to the log; the projections cannot commit them.
      for (let i = 0; i < 3; i++) expect(await open()).toMatchObject({ errors: [] });
      const until = Date.now() + lockedFor;
      while (Date.now() < until) {
        const asked = Date.now();
        const report = await health(url);
        polls.push({ status: report.status, lag: Math.min(...report.body.checks.projections.map((p) => Number(p.lag))), ms: Date.now() - asked });
        if (report.status === 503) expect(report.body).toMatchObject({ status: 'unavailable', checks: { readModels: true, eventStore: true } });
        await sleep(100);
      }
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    const slowest = Math.max(...polls.map((p) => p.ms));
    process.stdout.write(`[bad-configuration] read models locked for ${lockedFor} ms: ${polls.length} /health polls, all 503: ${polls.every((p) => p.status === 503)}, lowest lag ${Math.min(...polls.map((p) => p.lag))}, slowest answer ${slowest} ms\n`);
    // Not ready the whole time, and the three tickets stay unprojected: the lock is what holds them.
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.filter((p) => p.status !== 503)).toEqual([]);
    expect(Math.min(...polls.map((p) => p.lag))).toBeGreaterThanOrEqual(3);
    const recoveredMs = await waitFor('ready again after the lock is released', async () => {
      const report = await health(url);
      return report.status === 200 && report.body.checks.projections.every((p) => p.lag === '0');
    });
    process.stdout.write(`[bad-configuration] read models unlocked: /health 200, lag 0, after ${recoveredMs} ms\n`);
    // The tickets opened meanwhile reached the queue.
    const queue = await gql<{ queue: { totalCount: number } }>(url, agent, '{ queue(first: 1) { totalCount } }');
    expect(queue.data?.queue.totalCount).toBeGreaterThanOrEqual(3);
    expect((await server.kill('SIGTERM')).code).toBe(0);
  }, 120_000);
});
