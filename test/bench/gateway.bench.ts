/**
 * The GraphQL gateway over HTTP, as `npm start` runs it (gateway + projections + SLA watcher +
 * saga in one process on the embedded SQLite stores), loaded by autocannon from this process at
 * 64 connections:
 *
 * 1. mutations: half `openTicket` (as a customer of a `pro` or `enterprise` organization), half
 *    `changePriority` (as an agent, with a reason, on tickets opened beforehand; each change
 *    moves the ticket to a priority it does not have). Bodies are prepared before the run.
 * 2. queries: `queue(first: 20)` as an agent (the projection, with SLA clocks): agents polling the
 *    same page, which the response cache answers while the read models are unchanged (its hit
 *    rate is reported from /metrics);
 * 3. the same queries with `Cache-Control: no-cache`: each one executed.
 *
 * Every response is checked: a GraphQL error counts as a failure and is reported.
 * `npm run bench -- gateway`; `BENCH_SCALE=0.1` for a quick run. Overrides: `BENCH_CONNECTIONS`
 * (64), `BENCH_SECONDS` (10 per phase), `BENCH_PREPARED_TICKETS` (2,000). `BENCH_CPU_PROF=<dir>`
 * writes a V8 CPU profile of the server process there (`--cpu-prof`).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { signToken, type TokenClaims } from '../../apps/gateway/src/auth/jwt.js';
import { envInt, round, type BenchOptions, type BenchResult, type Figure, type TargetCheck } from './bench-kit.js';

const MAIN = join(process.cwd(), 'apps/gateway/src/main.ts');
const PRIORITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
const ORGANIZATIONS = 8;
const CONTACTS = 8;
const AGENTS = 16;

interface Server {
  url: string;
  pid: number;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** The real server in a child process (like the gateway test harness), optionally profiled. */
async function startServer(dataDir: string, secret: string, cpuProfDir: string | undefined): Promise<Server> {
  const child = fork(MAIN, [], {
    execArgv: ['--import', '@swc-node/register/esm-register', '--no-warnings', ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])],
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      JWT_SECRET: secret,
      LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'silent',
      EVENT_STORE_URL: '',
      READ_MODEL_URL: '',
      GRAPHIQL: 'false',
      RATE_LIMIT_MAX: '10000000',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code} before it was ready`)));
  });
  const ticks = (): number => {
    try {
      return processCpuSeconds(child.pid!);
    } catch {
      return Number.NaN;
    }
  };
  return {
    url,
    pid: child.pid!,
    cpuSeconds: ticks,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** CPU seconds (user + system) of a process: Linux /proc/<pid>/stat fields 14 and 15. */
function processCpuSeconds(pid: number): number {
  const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' '); // from field 3 on
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function gql<T>(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const OPEN = 'mutation Open($input: OpenTicketInput!) { openTicket(input: $input) { revision position ticket { id status priority } } }';
const CHANGE = 'mutation Change($input: ChangePriorityInput!) { changePriority(input: $input) { revision position ticket { id priority } } }';
const QUEUE = '{ queue(first: 20) { totalCount edges { node { id title status priority tier assigneeId nextDueAt breached atRisk } } pageInfo { hasNextPage endCursor } } }';

interface Prepared {
  customers: Array<{ token: string }>;
  agents: string[];
  tickets: Array<{ id: string; priority: number }>;
}

async function prepare(url: string, key: Uint8Array, tickets: number): Promise<Prepared> {
  const sign = (claims: TokenClaims): Promise<string> => signToken(key, claims, '2h');
  const admin = await sign({ sub: 'bench-admin', role: 'admin' });
  const customers: Prepared['customers'] = [];
  for (let o = 0; o < ORGANIZATIONS; o++) {
    const id = `org-${o}`;
    await gql(url, admin, 'mutation($i: RegisterOrganizationInput!) { registerOrganization(input: $i) { id } }', { i: { id, name: `Customer ${o}`, tier: o % 2 === 0 ? 'pro' : 'enterprise' } });
    for (let c = 0; c < CONTACTS; c++) {
      const contactId = `staff-${o}-${c}`;
      await gql(url, admin, 'mutation($i: AddContactInput!) { addContact(input: $i) { id } }', { i: { organizationId: id, contactId, name: `Staff ${c}`, email: `staff${c}@org${o}.test`, kind: 'STAFF' } });
      customers.push({ token: await sign({ sub: contactId, role: 'customer', org: id }) });
    }
  }
  const agents = await Promise.all(Array.from({ length: AGENTS }, (_, a) => sign({ sub: `agent-${a}`, role: 'agent' })));
  const prepared: Prepared['tickets'] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < tickets) {
        const n = next++;
        const data = await gql<{ openTicket: { ticket: { id: string; priority: string } } }>(url, customers[n % customers.length]!.token, OPEN, { input: openInput(n) });
        prepared.push({ id: data.openTicket.ticket.id, priority: PRIORITIES.indexOf(data.openTicket.ticket.priority as never) });
      }
    }),
  );
  return { customers, agents, tickets: prepared };
}

function openInput(n: number): Record<string, unknown> {
  return {
    channel: 'WEB',
    type: (['PROBLEM', 'QUESTION', 'SERVICE_REQUEST'] as const)[n % 3],
    title: `Player shows a black screen (${n})`,
    description: 'What we do: open the page and press play. What we expect: the video. What we get: a black screen and error 0x42 in the console.',
    requestedPriority: PRIORITIES[n % 4],
  };
}

interface Phase {
  requests: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  failures: number;
  non2xx: number;
  firstFailure: string;
  serverCpuPercent: number;
  seconds: number;
}

/** The response cache's hit and miss counters, from the server's /metrics. */
async function cacheCounts(server: Server): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const count = (result: string): number => Number(new RegExp(`tracedesk_graphql_response_cache_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { hit: count('hit'), miss: count('miss') };
}

async function load(
  server: Server,
  seconds: number,
  connections: number,
  setup: (n: number) => { body: string; token: string },
  extraHeaders: Record<string, string> = {},
): Promise<Phase> {
  let n = 0;
  let failures = 0;
  let firstFailure = '';
  const cpuBefore = server.cpuSeconds();
  const result = await autocannon({
    url: `${server.url}/graphql`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (request) => {
          const { body, token } = setup(n++);
          return { ...request, body, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...extraHeaders } };
        },
        onResponse: (status, body) => {
          if (status !== 200 || body.includes('"errors"')) {
            failures++;
            if (!firstFailure) firstFailure = `${status} ${body.slice(0, 300)}`;
          }
        },
      },
    ],
  });
  const cpu = server.cpuSeconds() - cpuBefore;
  const elapsed = result.duration;
  return {
    requests: result.requests.total,
    perSecond: result.requests.total / elapsed,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    failures,
    non2xx: result.non2xx,
    firstFailure,
    serverCpuPercent: (cpu / elapsed) * 100,
    seconds: elapsed,
  };
}

function figures(prefix: string, label: string, phase: Phase): Figure[] {
  const details = {
    requests: phase.requests,
    seconds: round(phase.seconds),
    failures: phase.failures,
    non2xx: phase.non2xx,
    serverCpuPercentOfOneCore: round(phase.serverCpuPercent),
    latencyP90Ms: phase.p90,
    latencyMaxMs: phase.max,
    ...(phase.firstFailure && { firstFailure: phase.firstFailure }),
  };
  return [
    { key: `${prefix}PerSecond`, label: `${label}/s`, value: round(phase.perSecond), unit: 'req/s', details },
    { key: `${prefix}P50`, label: `${label}: latency p50`, value: phase.p50, unit: 'ms' },
    { key: `${prefix}P99`, label: `${label}: latency p99`, value: phase.p99, unit: 'ms' },
    { key: `${prefix}Failures`, label: `${label}: failed (GraphQL errors or non-200)`, value: phase.failures, unit: 'requests' },
  ];
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const { scale, log } = options;
  const connections = envInt('BENCH_CONNECTIONS', 64);
  const seconds = Math.max(3, Math.round(envInt('BENCH_SECONDS', 10) * scale));
  const preparedTickets = Math.max(500, Math.round(envInt('BENCH_PREPARED_TICKETS', 2000) * scale));
  const cpuProfDir = process.env['BENCH_CPU_PROF'] || undefined;
  const secret = randomBytes(32).toString('base64url');
  const key = new TextEncoder().encode(secret);
  const server = await startServer(options.tempDir('gateway'), secret, cpuProfDir);
  try {
    log(`server ${server.url} (pid ${server.pid}); preparing ${ORGANIZATIONS} organizations, ${ORGANIZATIONS * CONTACTS} contacts, ${preparedTickets} tickets`);
    const prepared = await prepare(server.url, key, preparedTickets);
    const openBodies = Array.from({ length: 1024 }, (_, i) => JSON.stringify({ query: OPEN, variables: { input: openInput(i + 7) }, operationName: 'Open' }));
    const priorities = prepared.tickets.map((t) => t.priority);
    const mix = (n: number): { body: string; token: string } => {
      const half = n >> 1;
      if (n % 2 === 0) return { body: openBodies[half % openBodies.length]!, token: prepared.customers[half % prepared.customers.length]!.token };
      const t = half % prepared.tickets.length;
      // Always a priority the ticket does not have (assuming the previous change went through).
      const next = (priorities[t]! + 1 + (half % 3)) % 4;
      priorities[t] = next;
      const input = { ticketId: prepared.tickets[t]!.id, priority: PRIORITIES[next], reason: 'Impact confirmed with the customer' };
      return { body: JSON.stringify({ query: CHANGE, variables: { input }, operationName: 'Change' }), token: prepared.agents[half % prepared.agents.length]! };
    };
    log('warm-up (2 s of the mutation mix)');
    await load(server, 2, connections, mix);
    log(`mutations: ${seconds} s at ${connections} connections`);
    const mutations = await load(server, seconds, connections, mix);
    const queueBody = JSON.stringify({ query: QUEUE });
    const queueSetup = (n: number): { body: string; token: string } => ({ body: queueBody, token: prepared.agents[n % prepared.agents.length]! });
    log('warm-up (2 s of queue queries)');
    await load(server, 2, connections, queueSetup);
    log(`queue queries: ${seconds} s at ${connections} connections`);
    const cacheBefore = await cacheCounts(server);
    const queue = await load(server, seconds, connections, queueSetup);
    const cacheAfter = await cacheCounts(server);
    const hits = cacheAfter.hit - cacheBefore.hit;
    const misses = cacheAfter.miss - cacheBefore.miss;
    // The same queries with the response cache bypassed: what each one costs executed.
    log(`queue queries, Cache-Control: no-cache: ${seconds} s at ${connections} connections`);
    const uncached = await load(server, seconds, connections, queueSetup, { 'cache-control': 'no-cache' });
    const targets: TargetCheck[] = [
      { key: 'mutationsPerSecond', label: 'mutations/s (openTicket + changePriority), 64 connections', value: round(mutations.perSecond), target: 3000, unit: 'req/s', pass: mutations.perSecond >= 3000 },
      { key: 'mutationsP99', label: 'mutations: latency p99 (ms)', value: mutations.p99, target: 50, unit: 'ms', pass: mutations.p99 <= 50, atMost: true },
      { key: 'queuePerSecond', label: 'queue queries/s, 64 connections (polling: response cache)', value: round(queue.perSecond), target: 5000, unit: 'req/s', pass: queue.perSecond >= 5000 },
      // The same target for queries that each run (a different page, a changed queue): shown beside.
      {
        key: 'queueUncachedPerSecond',
        label: 'queue queries/s, 64 connections, each executed (no-cache)',
        value: round(uncached.perSecond),
        target: 5000,
        unit: 'req/s',
        pass: uncached.perSecond >= 5000,
      },
      {
        key: 'failures',
        label: 'failed requests (all phases)',
        value: mutations.failures + queue.failures + uncached.failures,
        target: 0,
        unit: 'requests',
        pass: mutations.failures + queue.failures + uncached.failures === 0,
        atMost: true,
      },
    ];
    return {
      name: 'gateway',
      description: 'GraphQL over HTTP (npm start: gateway + projections + watcher in one process, embedded SQLite), autocannon in the bench process',
      figures: [
        ...figures('mutations', 'mutations (openTicket + changePriority)', mutations),
        ...figures('queue', 'queue(first: 20) queries', queue),
        {
          key: 'queueCacheHitPercent',
          label: 'queue queries answered from the response cache',
          value: round((100 * hits) / Math.max(1, hits + misses)),
          unit: '%',
          details: { hits, misses },
        },
        ...figures('queueUncached', 'queue(first: 20) queries, response cache bypassed', uncached),
      ],
      targets,
      parameters: { connections, secondsPerPhase: seconds, preparedTickets, organizations: ORGANIZATIONS, contacts: ORGANIZATIONS * CONTACTS, agents: AGENTS, cpuProfile: cpuProfDir ?? false },
      notes: [
        'autocannon runs in the bench process on the same machine, so the server and the load generator share the cores.',
        `server CPU: mutations ${round(mutations.serverCpuPercent)} %, queue ${round(queue.serverCpuPercent)} %, queue uncached ${round(uncached.serverCpuPercent)} % of one core (Node runs JavaScript on one thread).`,
        'The queue phase is agents polling the same page while nothing changes: the response cache answers repeats until a projection commits (RESPONSE_CACHE_ENTRIES=0 turns it off). The uncached phase sends the same queries with Cache-Control: no-cache.',
        ...(mutations.firstFailure ? [`first mutation failure: ${mutations.firstFailure}`] : []),
        ...(queue.firstFailure ? [`first queue failure: ${queue.firstFailure}`] : []),
        ...(uncached.firstFailure ? [`first uncached queue failure: ${uncached.firstFailure}`] : []),
      ],
    };
  } finally {
    await server.stop();
  }
}
