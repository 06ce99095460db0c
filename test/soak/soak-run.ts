/**
 * The soak: the real server (`apps/gateway/src/main.ts`, as `npm start` runs it, with the SLA
 * watcher on a short interval and a policy whose targets are seconds long, so clocks breach and
 * the saga escalates all along) under a steady, paced mixed load — mutations, queue queries,
 * history reads — for a bounded time. Every `reportEverySec` it prints throughput, p99, the
 * server's RSS (/proc/<pid>/status) and the projection lag; at the end a summary and a verdict:
 * RSS at the end within 10% of RSS after the warm-up, and no errors.
 *
 * `npm run soak` runs it from the command line (test/soak/soak.ts); soak.spec.ts runs a short one.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gql, health, maxLag, percentile, readLog, rssKib, seededRandom, sleep, startServer, tokenSigner } from '../reliability/server-kit.js';

export interface SoakOptions {
  minutes: number;
  /** Requests per second over all clients (paced: the load does not grow with the server's speed). */
  rate: number;
  clients: number;
  reportEverySec: number;
  /** RSS after this is the baseline the end is compared with. */
  warmupSec: number;
  /** Where the JSON results go (none: not written). */
  out?: string;
  seed: number;
  log: (line: string) => void;
}

export interface SoakSample {
  atSec: number;
  requests: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  refusals: number;
  rssMiB: number | null;
  /** V8 heap in use (the server's /metrics): tells a JS leak from native caches (SQLite pages) filling up. */
  heapUsedMiB: number | null;
  /** The background thread's V8 heap (projections, saga): its own isolate, also inside the RSS. */
  backgroundHeapMiB: number | null;
  lag: number;
  /** Tickets in the queue (not closed), as the agent sees them. */
  openTickets: number;
}

export interface SoakResult {
  options: Omit<SoakOptions, 'log'>;
  startedAt: string;
  durationSec: number;
  samples: SoakSample[];
  summary: {
    requests: number;
    byKind: Record<string, number>;
    throughput: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    errors: number;
    refusals: number;
    firstErrors: string[];
    rssStartMiB: number | null;
    rssWarmMiB: number | null;
    rssEndMiB: number | null;
    rssPeakMiB: number | null;
    rssGrowthPct: number | null;
    heapAfterWarmupMiB: number | null;
    heapEndMiB: number | null;
    backgroundHeapAfterWarmupMiB: number | null;
    backgroundHeapEndMiB: number | null;
    maxLag: number;
    lagAfterDrainMs: number | null;
    events: number;
    breaches: number;
  };
  verdict: { ok: boolean; reasons: string[] };
}

/** The soak's pass/fail rule: RSS flat within 10% of the post-warm-up value, zero errors. */
export function soakVerdict(figures: { rssWarmMiB: number | null; rssEndMiB: number | null; errors: number; lagAfterDrainMs: number | null }): { ok: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (figures.rssWarmMiB === null || figures.rssEndMiB === null) reasons.push('RSS could not be read from /proc');
  else if (Math.abs(figures.rssEndMiB - figures.rssWarmMiB) > 0.1 * figures.rssWarmMiB) {
    reasons.push(`RSS ${figures.rssEndMiB.toFixed(1)} MiB at the end vs ${figures.rssWarmMiB.toFixed(1)} MiB after warm-up: more than 10% apart`);
  }
  if (figures.errors > 0) reasons.push(`${figures.errors} errors`);
  if (figures.lagAfterDrainMs === null) reasons.push('the projections did not catch up after the load stopped');
  return { ok: reasons.length === 0, reasons };
}

const POLICY = {
  version: 'soak',
  calendars: { always: { timeZone: 'UTC', hours: '24x7' } },
  tiers: {
    enterprise: {
      channels: ['WEB', 'EMAIL', 'CHAT', 'PHONE'],
      calendar: 'always',
      targets: {
        CRITICAL: { firstResponse: 'PT5S', resolution: 'PT30S' },
        HIGH: { firstResponse: 'PT10S', resolution: 'PT40S' },
        MEDIUM: { firstResponse: 'PT15S', resolution: 'PT60S' },
        LOW: { firstResponse: 'PT20S', resolution: 'PT90S' },
      },
      onBreach: { FIRST_RESPONSE: { escalateTo: 2 } },
    },
  },
};

const RESULT = '{ revision position ticket { id status } }';
const PRIORITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
const mib = (kib: number | null): number | null => (kib === null ? null : Math.round((kib / 1024) * 10) / 10);

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { log } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'tracedesk-soak-'));
  const secret = randomBytes(24).toString('base64url');
  const policyFile = join(dataDir, 'soak-policy.json');
  writeFileSync(policyFile, JSON.stringify(POLICY));
  const token = tokenSigner(secret);
  const server = await startServer(dataDir, { JWT_SECRET: secret, SLA_POLICY_FILE: policyFile, SLA_WATCHER_INTERVAL_MS: '250', LOG_LEVEL: 'error' });
  const startedAt = new Date();
  try {
    const url = server.url;
    const admin = await token({ sub: 'root', role: 'admin' });
    const agent = await token({ sub: 'alice', role: 'agent' });
    const auditor = await token({ sub: 'audrey', role: 'auditor' });
    const setup = await gql(url, admin, 'mutation { registerOrganization(input: { id: "soak", name: "Soak Inc", tier: "enterprise" }) { id } }');
    if (setup.errors.length > 0) throw new Error(`setup failed: ${JSON.stringify(setup.errors)}`);
    const customers: string[] = [];
    for (let i = 0; i < options.clients; i++) {
      const added = await gql(url, admin, 'mutation($input: AddContactInput!) { addContact(input: $input) { id } }', {
        input: { organizationId: 'soak', contactId: `s${i}`, name: `Soak ${i}`, email: `s${i}@soak.example`, kind: 'STAFF' },
      });
      if (added.errors.length > 0) throw new Error(`setup failed: ${JSON.stringify(added.errors)}`);
      customers.push(await token({ sub: `s${i}`, role: 'customer', org: 'soak' }));
    }

    const rssStart = rssKib(server.pid);
    const durationMs = options.minutes * 60_000;
    const t0 = Date.now();
    const end = t0 + durationMs;
    let window: number[] = [];
    let windowErrors = 0;
    let windowRefusals = 0;
    const all: number[] = [];
    const byKind: Record<string, number> = {};
    let errors = 0;
    let refusals = 0;
    const firstErrors: string[] = [];
    const samples: SoakSample[] = [];
    let rssPeak = rssStart ?? 0;
    // RSS every 2 s: one reading lands anywhere on the garbage collector's sawtooth, so the
    // baseline and the end are medians of the readings in a window each.
    const rssReadings: Array<{ atMs: number; kib: number }> = [];
    const rssSampler = setInterval(() => {
      const kib = rssKib(server.pid);
      if (kib !== null) rssReadings.push({ atMs: Date.now() - t0, kib });
    }, 2000);
    let peakLag = 0;

    const error = (what: string): void => {
      errors++;
      windowErrors++;
      if (firstErrors.length < 10) firstErrors.push(what);
    };

    const client = async (i: number): Promise<void> => {
      const random = seededRandom(options.seed * 977 + i);
      const interval = (1000 * options.clients) / options.rate;
      const mine = new Map<string, { priority: string; replies: number }>();
      let n = 0;
      // Stagger the clients over one interval.
      await sleep(random() * interval);
      const start = Date.now();
      while (Date.now() < end) {
        const due = start + n++ * interval;
        if (due > Date.now()) await sleep(due - Date.now());
        const roll = random();
        const ids = [...mine.keys()];
        let kind: string;
        let query: string;
        let variables: Record<string, unknown> = {};
        let as = agent;
        let ticketId: string | undefined;
        if (roll < 0.3 && ids.length > 0) {
          kind = 'queue';
          query = '{ queue(first: 20) { totalCount edges { node { id status priority } } } }';
        } else if (roll < 0.45 && ids.length > 0) {
          kind = 'history';
          as = auditor;
          query = 'query($id: ID!) { ticketHistory(id: $id) { revision type position } }';
          variables = { id: ids[Math.floor(random() * ids.length)]! };
        } else if (mine.size < 4) {
          kind = 'openTicket';
          as = customers[i]!;
          query = `mutation($input: OpenTicketInput!) { openTicket(input: $input) ${RESULT} }`;
          variables = { input: { channel: 'WEB', type: 'PROBLEM', title: `Soak ${i}.${n}`, description: 'Steady load.' } };
        } else {
          ticketId = ids[Math.floor(random() * ids.length)]!;
          const state = mine.get(ticketId)!;
          const pick = random();
          if (state.replies >= 3 && pick < 0.5) {
            kind = 'resolveTicket';
            query = `mutation($input: ResolveTicketInput!) { resolveTicket(input: $input) ${RESULT} }`;
            variables = { input: { ticketId, resolution: 'Done.' } };
          } else if (pick < 0.4) {
            kind = 'changePriority';
            const priority = PRIORITIES.filter((p) => p !== state.priority)[Math.floor(random() * 3)]!;
            query = `mutation($input: ChangePriorityInput!) { changePriority(input: $input) ${RESULT} }`;
            variables = { input: { ticketId, priority, reason: 'Soak re-triage' } };
          } else {
            kind = 'replyToTicket';
            query = `mutation($input: TicketBodyInput!) { replyToTicket(input: $input) ${RESULT} }`;
            variables = { input: { ticketId, body: `Reply ${n}` } };
          }
        }
        const asked = performance.now();
        try {
          const reply = await gql<Record<string, { ticket?: { id: string } }>>(url, as, query, variables);
          const ms = performance.now() - asked;
          window.push(ms);
          all.push(ms);
          byKind[kind] = (byKind[kind] ?? 0) + 1;
          if (reply.errors.length > 0 || reply.status !== 200) {
            const code = reply.errors[0]?.extensions?.code;
            // The saga escalates the same tickets meanwhile: a refusal is a domain answer, not a failure.
            if (code === 'RULE_VIOLATION' || code === 'CONFLICT') {
              refusals++;
              windowRefusals++;
              if (ticketId) mine.delete(ticketId);
            } else error(`${kind}: HTTP ${reply.status} ${JSON.stringify(reply.errors).slice(0, 300)}`);
            continue;
          }
          const result = reply.data?.[kind];
          if (kind === 'openTicket' && result?.ticket) mine.set(result.ticket.id, { priority: 'MEDIUM', replies: 0 });
          else if (kind === 'changePriority' && ticketId) mine.get(ticketId)!.priority = (variables['input'] as { priority: string }).priority;
          else if (kind === 'replyToTicket' && ticketId) mine.get(ticketId)!.replies++;
          else if (kind === 'resolveTicket' && ticketId) mine.delete(ticketId);
        } catch (caught) {
          window.push(performance.now() - asked);
          error(`${kind}: ${(caught as Error).message}`);
        }
      }
    };

    const reporter = async (): Promise<void> => {
      let last = t0;
      while (Date.now() < end) {
        await sleep(Math.min(options.reportEverySec * 1000, Math.max(0, end - Date.now())));
        const now = Date.now();
        const { body } = await health(url);
        const lag = maxLag(body);
        peakLag = Math.max(peakLag, lag);
        const rss = rssKib(server.pid);
        if (rss !== null) rssPeak = Math.max(rssPeak, rss);
        const atSec = Math.round((now - t0) / 1000);
        const metrics = await (await fetch(`${url}/metrics`)).text();
        const metric = (name: string): number | null => {
          const value = new RegExp(`^${name} (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)`, 'm').exec(metrics)?.[1];
          return value === undefined ? null : Math.round((Number(value) / 2 ** 20) * 10) / 10;
        };
        const openTickets = Number((await gql<{ queue: { totalCount: number } }>(url, agent, '{ queue(first: 1) { totalCount } }')).data?.queue.totalCount ?? 0);
        const sample: SoakSample = {
          atSec,
          requests: window.length,
          throughput: Math.round((window.length / ((now - last) / 1000)) * 10) / 10,
          p50Ms: Math.round(percentile(window, 50) * 10) / 10,
          p99Ms: Math.round(percentile(window, 99) * 10) / 10,
          errors: windowErrors,
          refusals: windowRefusals,
          rssMiB: mib(rss),
          heapUsedMiB: metric('nodejs_heap_size_used_bytes'),
          backgroundHeapMiB: metric('tracedesk_background_heap_used_bytes'),
          lag,
          openTickets,
        };
        samples.push(sample);
        log(
          `[soak] ${String(atSec).padStart(4)} s  ${String(sample.throughput).padStart(6)} req/s  p50 ${String(sample.p50Ms).padStart(6)} ms  p99 ${String(sample.p99Ms).padStart(6)} ms  ` +
            `errors ${sample.errors}  refusals ${sample.refusals}  RSS ${sample.rssMiB} MiB  heap ${sample.heapUsedMiB} + ${sample.backgroundHeapMiB ?? '-'} MiB  lag ${lag}  open tickets ${openTickets}`,
        );
        window = [];
        windowErrors = 0;
        windowRefusals = 0;
        last = now;
      }
    };

    log(`[soak] server pid ${server.pid} at ${url}; ${options.minutes} min, ${options.rate} req/s over ${options.clients} clients, report every ${options.reportEverySec} s, warm-up ${options.warmupSec} s, seed ${options.seed}; RSS at start ${mib(rssStart)} MiB`);
    await Promise.all([...Array.from({ length: options.clients }, (_, i) => client(i)), reporter()]);
    clearInterval(rssSampler);
    // Baseline: the minute after the warm-up; end: the last minute (each a third of what follows
    // the warm-up, when that is shorter than 3 minutes).
    const windowMs = Math.min(60_000, (durationMs - options.warmupSec * 1000) / 3);
    const medianKib = (from: number, to: number): number | null => {
      const inWindow = rssReadings.filter((r) => r.atMs >= from && r.atMs <= to).map((r) => r.kib);
      return inWindow.length === 0 ? null : percentile(inWindow, 50);
    };
    const rssWarm = medianKib(options.warmupSec * 1000, options.warmupSec * 1000 + windowMs);
    const rssEnd = medianKib(durationMs - windowMs, durationMs);

    // Load stopped: the projections must catch up.
    const drained = Date.now();
    let lagAfterDrainMs: number | null = null;
    while (Date.now() - drained < 60_000) {
      if (maxLag((await health(url)).body) === 0) {
        lagAfterDrainMs = Date.now() - drained;
        break;
      }
      await sleep(100);
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const breaches = Number(/^tracedesk_sla_breaches (\d+)/m.exec(metrics)?.[1] ?? 0);
    const stopped = await server.kill('SIGTERM');
    if (stopped.code !== 0) error(`the server exited with ${stopped.code ?? stopped.signal} on SIGTERM`);
    const totalEvents = [...readLog(dataDir).values()].reduce((sum, stream) => sum + stream.length, 0);

    const durationSec = Math.round((Date.now() - t0) / 100) / 10;
    const summary: SoakResult['summary'] = {
      requests: all.length,
      byKind,
      throughput: Math.round((all.length / (durationMs / 1000)) * 10) / 10,
      p50Ms: Math.round(percentile(all, 50) * 10) / 10,
      p99Ms: Math.round(percentile(all, 99) * 10) / 10,
      // A loop, not Math.max(...all): an hour at 120 req/s is more arguments than the stack holds.
      maxMs: Math.round(all.reduce((max, ms) => Math.max(max, ms), 0) * 10) / 10,
      errors,
      refusals,
      firstErrors,
      rssStartMiB: mib(rssStart),
      rssWarmMiB: mib(rssWarm),
      rssEndMiB: mib(rssEnd),
      rssPeakMiB: mib(rssPeak),
      rssGrowthPct: rssWarm !== null && rssEnd !== null ? Math.round(((rssEnd - rssWarm) / rssWarm) * 1000) / 10 : null,
      heapAfterWarmupMiB: samples.find((x) => x.atSec >= options.warmupSec)?.heapUsedMiB ?? null,
      heapEndMiB: samples.at(-1)?.heapUsedMiB ?? null,
      backgroundHeapAfterWarmupMiB: samples.find((x) => x.atSec >= options.warmupSec)?.backgroundHeapMiB ?? null,
      backgroundHeapEndMiB: samples.at(-1)?.backgroundHeapMiB ?? null,
      maxLag: peakLag,
      lagAfterDrainMs,
      events: totalEvents,
      breaches,
    };
    const verdict = soakVerdict({ rssWarmMiB: summary.rssWarmMiB, rssEndMiB: summary.rssEndMiB, errors, lagAfterDrainMs });
    const { log: _log, ...kept } = options;
    const result: SoakResult = { options: kept, startedAt: startedAt.toISOString(), durationSec, samples, summary, verdict };
    if (options.out) {
      mkdirSync(dirname(options.out), { recursive: true });
      writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
    }
    return result;
  } finally {
    await server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The summary table and verdict, as printed at the end. */
export function formatSummary(result: SoakResult): string {
  const s = result.summary;
  const rows: Array<[string, string]> = [
    ['duration', `${result.durationSec} s`],
    ['requests', `${s.requests} (${Object.entries(s.byKind).map(([k, v]) => `${k} ${v}`).join(', ')})`],
    ['throughput', `${s.throughput} req/s (target ${result.options.rate})`],
    ['latency', `p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms`],
    ['errors', `${s.errors}${s.firstErrors.length ? ` — ${s.firstErrors.slice(0, 3).join(' | ')}` : ''}`],
    ['refusals', `${s.refusals} (RULE_VIOLATION / CONFLICT: the saga escalates the same tickets)`],
    ['RSS', `start ${s.rssStartMiB} MiB, after warm-up ${s.rssWarmMiB} MiB, end ${s.rssEndMiB} MiB (${s.rssGrowthPct}%), peak ${s.rssPeakMiB} MiB`],
    ['V8 heap used', `main thread: after warm-up ${s.heapAfterWarmupMiB} MiB, end ${s.heapEndMiB} MiB; background thread: ${s.backgroundHeapAfterWarmupMiB ?? '-'} MiB, ${s.backgroundHeapEndMiB ?? '-'} MiB`],
    ['projection lag', `max ${s.maxLag} events under load; 0 after ${s.lagAfterDrainMs ?? 'never'} ms once the load stopped`],
    ['log', `${s.events} events, ${s.breaches} SLA breaches recorded`],
    ['verdict', result.verdict.ok ? 'PASS' : `FAIL: ${result.verdict.reasons.join('; ')}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}
