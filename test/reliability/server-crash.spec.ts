/**
 * Kills the whole embedded server (the real `apps/gateway/src/main.ts`: gateway, projections,
 * SLA watcher and saga over SQLite) with SIGKILL at random moments while several clients open
 * tickets, change priorities, reply and resolve over HTTP, and restarts it over the same
 * DATA_DIR, at least 20 times. After every restart: every acknowledged mutation (a response
 * with its revision and position) is in the log at that revision and position, and every
 * stream's hash chain verifies (so a request cut by the kill left all of its events or none).
 * At the end the read models, once caught up, equal a clean rebuild of the log, row for row.
 *
 * The kill moments and the clients' choices come from a seeded PRNG; the seed is printed, and
 * CRASH_SEED=<seed> replays the same schedule (the interleaving with the server still varies).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ticketStream } from '@tracedesk/domain';
import { PROJECTION_NAMES, SqliteReadModelStore } from '@tracedesk/read-models';
import {
  gql,
  readLog,
  readModelsAndCleanRebuild,
  seedFrom,
  seededRandom,
  sleep,
  startServer,
  tokenSigner,
  verifyLog,
  type ServerProcess,
} from './server-kit.js';

const KILLS = Number(process.env['CRASH_KILLS'] ?? 20);
const CLIENTS = 6;
const SEED = seedFrom('CRASH_SEED');
const ORG = 'acme';

interface Ack {
  op: string;
  streamId: string;
  revision: number;
  position: bigint;
}

const RESULT = '{ revision position ticket { id status } }';
const MUTATIONS = {
  openTicket: `mutation($input: OpenTicketInput!) { openTicket(input: $input) ${RESULT} }`,
  changePriority: `mutation($input: ChangePriorityInput!) { changePriority(input: $input) ${RESULT} }`,
  replyToTicket: `mutation($input: TicketBodyInput!) { replyToTicket(input: $input) ${RESULT} }`,
  resolveTicket: `mutation($input: ResolveTicketInput!) { resolveTicket(input: $input) ${RESULT} }`,
} as const;
type Op = keyof typeof MUTATIONS;
const PRIORITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;

interface Figures {
  seed: number;
  kills: number;
  killsWithRequestsInFlight: number;
  killsWithProjectionsBehind: number;
  acknowledged: number;
  acknowledgedByOp: Record<string, number>;
  refused: number;
  cutByKill: number;
  /** Events whose chain was recomputed, summed over every check (the log is checked after each restart). */
  eventsChecked: number;
  finalEvents: number;
  openedByCutRequests: number;
  lost: number;
  brokenChains: number;
  durationMs: number;
}

async function projectionsBehind(dataDir: string, head: bigint): Promise<boolean> {
  const readModels = new SqliteReadModelStore({ path: join(dataDir, 'read-models.db') });
  try {
    await readModels.init();
    for (const name of PROJECTION_NAMES) if ((await readModels.checkpoint(name, await readModels.activeGeneration(name))) < head) return true;
    return false;
  } finally {
    await readModels.close();
  }
}

describe('the embedded server killed with SIGKILL under a write-and-project load', () => {
  const secret = randomBytes(24).toString('base64url');
  const token = tokenSigner(secret);
  const env = { JWT_SECRET: secret, PROJECTION_BATCH_SIZE: '50', SLA_WATCHER_INTERVAL_MS: '200' };
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tracedesk-server-crash-'));
    process.stdout.write(`[server-crash] seed ${SEED} (replay: CRASH_SEED=${SEED}), DATA_DIR ${dataDir}\n`);
  });

  afterAll(async () => {
    await server?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`loses no acknowledged mutation over ${KILLS} kills, keeps every chain whole, and converges to a clean rebuild`, async () => {
    const started = Date.now();
    const random = seededRandom(SEED);
    const acks: Ack[] = [];
    const figures: Figures = {
      seed: SEED,
      kills: 0,
      killsWithRequestsInFlight: 0,
      killsWithProjectionsBehind: 0,
      acknowledged: 0,
      acknowledgedByOp: {},
      refused: 0,
      cutByKill: 0,
      eventsChecked: 0,
      finalEvents: 0,
      openedByCutRequests: 0,
      lost: 0,
      brokenChains: 0,
      durationMs: 0,
    };
    const admin = await token({ sub: 'root', role: 'admin' });
    const agent = await token({ sub: 'alice', role: 'agent' });
    const customers = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => token({ sub: `c${i}`, role: 'customer', org: ORG })));
    // Tickets each client works on, with what it last knew of them (a cut request leaves it unsure: refusals are fine).
    const tickets: Array<Map<string, { priority: string }>> = Array.from({ length: CLIENTS }, () => new Map());

    /** Every acknowledged mutation must be in the log at its revision and position; every chain must verify. */
    const checkLog = (when: string): void => {
      const log = readLog(dataDir);
      const verification = verifyLog(log);
      figures.eventsChecked += verification.events;
      const missing = acks.filter((ack) => log.get(ack.streamId)?.[ack.revision]?.position !== ack.position);
      figures.lost = missing.length;
      figures.brokenChains = verification.broken.length;
      if (missing.length > 0 || verification.broken.length > 0) {
        throw new Error(
          `${when} (seed ${SEED}): ${missing.length} acknowledged mutations missing, e.g. ${JSON.stringify(missing.slice(0, 3), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}; ` +
            `${verification.broken.length} broken chains, e.g. ${JSON.stringify(verification.broken.slice(0, 3))}`,
        );
      }
    };

    const client = async (url: string, i: number, stop: { now: boolean; killed: boolean }, inFlight: { count: number }): Promise<void> => {
      const choose = seededRandom(SEED * 31 + i + figures.kills * 1009);
      const mine = tickets[i]!;
      while (!stop.now) {
        let op: Op;
        let input: Record<string, unknown>;
        let ticketId: string | undefined;
        if (mine.size < 3 || choose() < 0.15) {
          op = 'openTicket';
          input = { channel: 'WEB', type: 'PROBLEM', title: `Crash load ${i}`, description: 'Opened while the server may be killed at any moment.' };
        } else {
          const ids = [...mine.keys()];
          ticketId = ids[Math.floor(choose() * ids.length)]!;
          const roll = choose();
          if (roll < 0.4) {
            const current = mine.get(ticketId)!.priority;
            const others = PRIORITIES.filter((p) => p !== current);
            op = 'changePriority';
            input = { ticketId, priority: others[Math.floor(choose() * others.length)]!, reason: 'Re-triaged under load' };
          } else if (roll < 0.85) {
            op = 'replyToTicket';
            input = { ticketId, body: `Reply ${Math.floor(choose() * 1e6)}` };
          } else {
            op = 'resolveTicket';
            input = { ticketId, resolution: 'Resolved under load' };
          }
        }
        inFlight.count++;
        try {
          const reply = await gql<Record<string, { revision: number; position: string; ticket: { id: string } }>>(url, op === 'openTicket' ? customers[i]! : agent, MUTATIONS[op], { input });
          const result = reply.data?.[op];
          if (result) {
            const id = result.ticket.id;
            acks.push({ op, streamId: ticketStream(id), revision: result.revision, position: BigInt(result.position) });
            figures.acknowledgedByOp[op] = (figures.acknowledgedByOp[op] ?? 0) + 1;
            if (op === 'openTicket') mine.set(id, { priority: 'MEDIUM' });
            else if (op === 'changePriority') mine.set(id, { priority: input['priority'] as string });
            else if (op === 'resolveTicket') mine.delete(id);
          } else {
            const code = reply.errors[0]?.extensions?.code;
            // Refusals are the domain's answers to a client that lost track (a cut resolve, say).
            if (code !== 'RULE_VIOLATION' && code !== 'CONFLICT' && code !== 'NOT_FOUND') {
              throw new Error(`${op} answered ${reply.status} ${JSON.stringify(reply.errors)}`);
            }
            figures.refused++;
            if (ticketId && code !== 'CONFLICT') mine.delete(ticketId);
          }
        } catch (error) {
          // Only the kill may cut a request: a failed fetch (a TypeError, from another realm under jest) before it is a defect.
          if (!stop.killed || (error as Error).name !== 'TypeError') throw error;
          figures.cutByKill++;
          if (!stop.now) await sleep(20);
        } finally {
          inFlight.count--;
        }
      }
    };

    for (let cycle = 0; cycle <= KILLS; cycle++) {
      server = await startServer(dataDir, env);
      const url = server.url;
      if (cycle === 0) {
        const org = await gql(url, admin, `mutation { registerOrganization(input: { id: "${ORG}", name: "Acme", tier: "enterprise" }) { id } }`);
        expect(org.errors).toEqual([]);
        for (let i = 0; i < CLIENTS; i++) {
          const contact = await gql(url, admin, 'mutation($input: AddContactInput!) { addContact(input: $input) { id } }', {
            input: { organizationId: ORG, contactId: `c${i}`, name: `Client ${i}`, email: `c${i}@acme.example`, kind: 'STAFF' },
          });
          expect(contact.errors).toEqual([]);
        }
      } else {
        checkLog(`after restart ${cycle}`);
      }
      if (cycle === KILLS) break;

      const stop = { now: false, killed: false };
      const inFlight = { count: 0 };
      const loops = Array.from({ length: CLIENTS }, (_, i) => client(url, i, stop, inFlight));
      const failed = Promise.all(loops).then(() => undefined);
      // A random moment: from just after the start (projections still catching up) to a few seconds in.
      const killAfter = Math.floor(100 + random() * 2400);
      await Promise.race([sleep(killAfter), failed]);
      const busy = inFlight.count;
      stop.killed = true;
      server.child.kill('SIGKILL');
      const exit = await server.exited;
      stop.now = true;
      await failed;
      expect(exit.signal).toBe('SIGKILL');
      figures.kills++;
      if (busy > 0) figures.killsWithRequestsInFlight++;
      const head = acks.reduce((max, ack) => (ack.position > max ? ack.position : max), 0n);
      if (await projectionsBehind(dataDir, head)) figures.killsWithProjectionsBehind++;
    }

    // The last run: let the projections catch up, stop gracefully, compare with a clean rebuild.
    const last = server!;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await fetch(`${last.url}/health`);
      const body = (await response.json()) as { checks: { projections: Array<{ lag: string }> } };
      if (response.status === 200 && body.checks.projections.every((p) => p.lag === '0')) break;
      if (Date.now() > deadline) throw new Error(`projections did not catch up: ${JSON.stringify(body)}`);
      await sleep(100);
    }
    const stopped = await last.kill('SIGTERM');
    expect(stopped.code).toBe(0);
    checkLog('after the last run');
    const log = readLog(dataDir);
    figures.finalEvents = [...log.values()].reduce((n, events) => n + events.length, 0);
    figures.acknowledged = acks.length;
    // Tickets in the log whose openTicket was cut by a kill after its commit: present, and whole (their chains verified).
    const acknowledgedOpens = acks.filter((a) => a.op === 'openTicket').length;
    figures.openedByCutRequests = [...log.keys()].filter((id) => id.startsWith(ticketStream(''))).length - acknowledgedOpens;

    const { actual, expected } = await readModelsAndCleanRebuild(dataDir);
    figures.durationMs = Date.now() - started;
    process.stdout.write(`[server-crash] ${JSON.stringify(figures)}\n`);
    mkdirSync(join(process.cwd(), 'tmp', 'reliability'), { recursive: true });
    writeFileSync(join(process.cwd(), 'tmp', 'reliability', 'server-crash.json'), `${JSON.stringify({ at: new Date().toISOString(), ...figures }, null, 2)}\n`);

    expect(figures.kills).toBeGreaterThanOrEqual(20);
    expect(figures.lost).toBe(0);
    expect(figures.brokenChains).toBe(0);
    // The kills hit a server at work, not an idle one.
    expect(figures.killsWithRequestsInFlight).toBeGreaterThanOrEqual(Math.ceil(figures.kills / 2));
    expect(figures.acknowledged).toBeGreaterThan(figures.kills * 5);
    expect(figures.openedByCutRequests).toBeGreaterThanOrEqual(0);
    expect(actual.facts.length).toBe(acknowledgedOpens + figures.openedByCutRequests);
    expect(actual).toEqual(expected);
  }, 290_000);
});
