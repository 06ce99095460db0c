/**
 * Conflicting writes over HTTP: 64 concurrent clients change the priority of (with a reason),
 * reply to and escalate the same ten tickets for a bounded time, through two gateway
 * processes on one DATA_DIR (the primary, and an API-only replica as with
 * GATEWAY_RUN_WORKER=false), so writes race both inside a process and across processes, where
 * only the store's expected-revision check stands between them.
 *
 * Every request carries its own correlation id, which the server stores in each event's
 * metadata; that is how an accepted response is matched to its events and how a refused one
 * is shown to have written nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../../apps/gateway/src/testing/gateway-harness.js';
import { EventLog, bearer, compareWithCleanRebuild, leaks, post, report, sleep } from './reliability-kit.js';

const CLIENTS = 64;
const TICKETS = 10;
const DURATION_MS = 12_000;
const PRIORITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
const RESULT = '{ revision position ticket { id priority escalationLevel revision } }';

type Op = 'changePriority' | 'replyToTicket' | 'escalateTicket';
interface TicketResult { revision: number; position: string; ticket: { id: string; priority: string; escalationLevel: number; revision: number } }
interface Attempt {
  op: Op;
  ticketId: string;
  correlationId: string;
  input: Record<string, unknown>;
  status: number;
  result?: TicketResult;
  codes: string[];
  text: string;
  failure?: string;
}
interface Entry { revision: number; position: string; type: string; actorId: string; actorRole: string; correlationId: string | null; data: Record<string, unknown> }

const MUTATION: Record<Op, string> = {
  changePriority: `mutation($input: ChangePriorityInput!) { changePriority(input: $input) ${RESULT} }`,
  replyToTicket: `mutation($input: TicketBodyInput!) { replyToTicket(input: $input) ${RESULT} }`,
  escalateTicket: `mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) ${RESULT} }`,
};
/** The event each command is about (others may follow it in the same append: clock changes). */
const PRIMARY: Record<Op, string> = { changePriority: 'TicketPriorityChanged', replyToTicket: 'AgentReplied', escalateTicket: 'TicketEscalated' };

describe('64 clients writing to the same ten tickets through two gateway processes', () => {
  let primary: Harness;
  let replica: Harness;
  let supervisor: string;
  const tickets: { id: string; priority: string }[] = [];

  beforeAll(async () => {
    primary = await startHarness({ RATE_LIMIT_MAX: '1000000' });
    // Same data directory and key, API only: a second writer process on the same log.
    replica = await startHarness({ DATA_DIR: primary.dataDir, JWT_SECRET: primary.secret, GATEWAY_RUN_WORKER: 'false', RATE_LIMIT_MAX: '1000000' });
    const admin = await primary.token({ sub: 'root', role: 'admin' });
    const agent = await primary.token({ sub: 'setup', role: 'agent' });
    supervisor = await primary.token({ sub: 'sam', role: 'supervisor' });
    const setup = async (token: string, query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const reply = await primary.gql(token, query, variables);
      expect(reply.errors).toEqual([]);
      return reply.data!;
    };
    await setup(admin, 'mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }', { input: { id: 'acme', name: 'Acme', tier: 'enterprise' } });
    await setup(admin, 'mutation($input: AddContactInput!) { addContact(input: $input) { id } }', {
      input: { organizationId: 'acme', contactId: 'kim', name: 'Kim', email: 'kim@acme.example', kind: 'STAFF' },
    });
    for (let i = 0; i < TICKETS; i++) {
      const data = await setup(agent, `mutation($input: OpenTicketInput!) { openTicket(input: $input) ${RESULT} }`, {
        input: { organizationId: 'acme', contactId: 'kim', channel: 'EMAIL', type: 'PROBLEM', title: `Contended ${i}`, description: 'Everyone works on this one.' },
      });
      const ticket = (data['openTicket'] as TicketResult).ticket;
      tickets.push({ id: ticket.id, priority: ticket.priority });
    }
  }, 60_000);

  afterAll(async () => {
    await replica?.close();
    await primary?.close();
  });

  it('keeps every accepted write exactly once, in order, refuses the rest with CONFLICT or RULE_VIOLATION, and projects what a rebuild gives', async () => {
    const started = Date.now();
    const attempts: Attempt[] = [];
    const tokens = await Promise.all(
      Array.from({ length: CLIENTS }, (_, c) => primary.token({ sub: `writer-${c}`, role: c % 4 === 0 ? 'supervisor' : 'agent' })),
    );
    const deadline = Date.now() + DURATION_MS;
    await Promise.all(
      tokens.map(async (token, c) => {
        // Even clients talk to the primary, odd ones to the replica.
        const url = (c % 2 === 0 ? primary : replica).graphqlUrl;
        for (let n = 0; Date.now() < deadline; n++) {
          const ticketId = tickets[Math.floor(Math.random() * TICKETS)]!.id;
          const op = (['changePriority', 'replyToTicket', 'escalateTicket'] as const)[Math.floor(Math.random() * 3)]!;
          const correlationId = `cw-${c}-${n}`;
          const marker = `${correlationId} ${'✓'.repeat(1 + (n % 3))}`; // texts are trimmed: keep none at the ends
          const input =
            op === 'changePriority'
              ? { ticketId, priority: PRIORITIES[Math.floor(Math.random() * 4)], reason: `reprioritise ${marker}` }
              : op === 'replyToTicket'
                ? { ticketId, body: `reply ${marker}` }
                : { ticketId, level: 1 + Math.floor(Math.random() * 3), reason: `escalate ${marker}` };
          const attempt: Attempt = { op, ticketId, correlationId, input, status: 0, codes: [], text: '' };
          try {
            const reply = await post(url, { query: MUTATION[op], variables: { input } }, { ...bearer(token), 'x-correlation-id': correlationId });
            attempt.status = reply.status;
            attempt.text = reply.text;
            const result = reply.body?.data?.[op] as TicketResult | undefined;
            if (result) attempt.result = result;
            attempt.codes = (reply.body?.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
          } catch (error) {
            attempt.failure = String(error);
          }
          attempts.push(attempt);
        }
      }),
    );
    const loadMs = Date.now() - started;

    // Every request got an answer: a result or refusal codes, never a 5xx or a dropped connection.
    expect(attempts.filter((a) => a.failure !== undefined).map((a) => a.failure)).toEqual([]);
    expect(attempts.filter((a) => a.status >= 500 || a.status === 0).map((a) => `${a.status} ${a.text.slice(0, 300)}`)).toEqual([]);
    expect(attempts.filter((a) => (a.result === undefined) === (a.codes.length === 0)).map((a) => a.text.slice(0, 300))).toEqual([]);
    const accepted = attempts.filter((a) => a.result);
    const refused = attempts.filter((a) => !a.result);
    const badCodes = refused.filter((a) => a.codes.length !== 1 || !['CONFLICT', 'RULE_VIOLATION'].includes(a.codes[0]!));
    expect(badCodes.map((a) => a.text.slice(0, 300))).toEqual([]);
    expect(attempts.map((a) => leaks(a.text)).filter(Boolean)).toEqual([]);
    const conflicts = refused.filter((a) => a.codes[0] === 'CONFLICT').length;
    const ruleViolations = refused.filter((a) => a.codes[0] === 'RULE_VIOLATION').length;
    // The load really contended: many writes each way, every kind of command accepted.
    expect(accepted.length).toBeGreaterThan(200);
    expect(ruleViolations).toBeGreaterThan(0);
    for (const op of Object.keys(MUTATION) as Op[]) expect(accepted.some((a) => a.op === op)).toBe(true);

    let eventsChecked = 0;
    for (const { id, priority: initialPriority } of tickets) {
      const reply = await primary.gql<{ ticketHistory: Entry[]; verifyTicketHistory: { ok: boolean; checkedEvents: number; firstBadRevision: number | null } }>(
        supervisor,
        'query($id: ID!) { ticketHistory(id: $id) { revision position type actorId actorRole correlationId data } verifyTicketHistory(id: $id) { ok checkedEvents firstBadRevision } }',
        { id },
      );
      expect(reply.errors).toEqual([]);
      const history = reply.data!.ticketHistory;
      const verification = reply.data!.verifyTicketHistory;
      expect(verification).toEqual({ ok: true, checkedEvents: history.length, firstBadRevision: null });
      eventsChecked += history.length;

      // Revisions dense from 0 and positions strictly increasing: one consistent order.
      expect(history.map((e) => e.revision)).toEqual(history.map((_, i) => i));
      for (let i = 1; i < history.length; i++) expect(BigInt(history[i]!.position)).toBeGreaterThan(BigInt(history[i - 1]!.position));

      // Each accepted mutation: its events are one contiguous block ending at the revision and
      // position it was told, holding exactly one event of its kind with what it sent.
      const ours = accepted.filter((a) => a.ticketId === id);
      const byCorrelation = new Map<string, Entry[]>();
      for (const entry of history) {
        if (entry.correlationId === null) continue;
        byCorrelation.set(entry.correlationId, [...(byCorrelation.get(entry.correlationId) ?? []), entry]);
      }
      for (const attempt of ours) {
        const block = byCorrelation.get(attempt.correlationId) ?? [];
        const result = attempt.result!;
        expect(block.length).toBeGreaterThan(0);
        expect(block.map((e) => e.revision)).toEqual(block.map((_, i) => block[0]!.revision + i));
        expect(block.at(-1)!.revision).toBe(result.revision);
        expect(block.at(-1)!.position).toBe(result.position);
        expect(result.ticket.revision).toBe(result.revision);
        const primaries = block.filter((e) => e.type === PRIMARY[attempt.op]);
        expect(primaries).toHaveLength(1);
        const event = primaries[0]!;
        expect(event.revision).toBe(block[0]!.revision);
        expect(event.actorId).toBe(`writer-${attempt.correlationId.split('-')[1]}`);
        if (attempt.op === 'changePriority') {
          expect(event.data).toMatchObject({ to: attempt.input['priority'], reason: attempt.input['reason'] });
          expect(result.ticket.priority).toBe(attempt.input['priority']);
        } else if (attempt.op === 'escalateTicket') {
          expect(event.data).toMatchObject({ to: attempt.input['level'], reason: attempt.input['reason'] });
          expect(result.ticket.escalationLevel).toBe(attempt.input['level']);
        } else {
          expect(event.data).toMatchObject({ body: attempt.input['body'] });
        }
      }
      // … and nothing else of the writers is there: no duplicate, nothing refused, nothing unanswered.
      const accepted_ = new Set(ours.map((a) => a.correlationId));
      const written = [...byCorrelation.keys()].filter((c) => c.startsWith('cw-'));
      expect(written.filter((c) => !accepted_.has(c))).toEqual([]);
      expect(written.length).toBe(ours.length);

      // The decisions chain: each priority change starts from the previous one's priority,
      // each escalation from the previous level and upwards only.
      let priority = initialPriority;
      let level = 0;
      for (const entry of history) {
        if (entry.type === 'TicketPriorityChanged') {
          expect(entry.data['from']).toBe(priority);
          expect(entry.data['to']).not.toBe(priority);
          priority = entry.data['to'] as string;
        }
        if (entry.type === 'TicketEscalated') {
          expect(entry.data['from']).toBe(level);
          expect(entry.data['to'] as number).toBeGreaterThan(level);
          level = entry.data['to'] as number;
        }
      }
    }

    // The refused ones wrote nothing anywhere in the log (checked on the file itself).
    const log = new EventLog(primary.dataDir);
    const head = log.stats().head;
    const refusedWrites = refused.filter((a) => log.eventsOf(a.correlationId) > 0).map((a) => a.correlationId);
    const acceptedEventsInLog = accepted.reduce((sum, a) => sum + log.eventsOf(a.correlationId), 0);
    log.close();
    expect(refusedWrites).toEqual([]);
    expect(acceptedEventsInLog).toBeGreaterThanOrEqual(accepted.length);

    // Let the projections reach the head, stop both processes gracefully, then compare the
    // read models with a clean rebuild of the same log.
    for (let tries = 0; ; tries++) {
      const caughtUp = await primary.gql(supervisor, `query($at: String) { queue(atLeastPosition: $at, first: 1) { totalCount } }`, { at: String(head) });
      if (caughtUp.errors.length === 0) break;
      expect(caughtUp.errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE'); // not caught up yet
      if (tries >= 5) throw new Error(`the projections did not reach position ${head}`);
    }
    await sleep(100);
    expect(await replica.stop()).toBe(0);
    expect(await primary.stop()).toBe(0);
    const { actual, expected, head: finalHead, checkpoints } = await compareWithCleanRebuild(primary.dataDir);
    expect(checkpoints).toEqual(checkpoints.map(() => finalHead));
    expect(actual.queue).toHaveLength(TICKETS);
    expect(actual).toEqual(expected);

    report('conflicting-writes', {
      clients: CLIENTS,
      tickets: TICKETS,
      processes: 2,
      loadSeconds: +(loadMs / 1000).toFixed(1),
      requests: attempts.length,
      accepted: accepted.length,
      conflicts,
      ruleViolations,
      byOp: Object.fromEntries((Object.keys(MUTATION) as Op[]).map((op) => [op, { accepted: accepted.filter((a) => a.op === op).length, refused: refused.filter((a) => a.op === op).length }])),
      eventsChecked,
      logHead: Number(finalHead),
      lost: 0,
      durationSeconds: +((Date.now() - started) / 1000).toFixed(1),
    });
  }, 110_000);
});
