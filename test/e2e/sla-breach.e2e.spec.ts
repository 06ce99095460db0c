/**
 * A breach on the real clock: the real server (child process) with a policy whose first
 * response target is two seconds on a 24/7 calendar and a 200 ms SLA watcher. The one test
 * that waits on real time: every wait is a poll with a deadline of a few seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLClient, gql } from 'graphql-request';
import { startHarness, type Harness } from '../../apps/gateway/src/testing/gateway-harness.js';

const POLICY = {
  version: 'e2e-seconds',
  calendars: { always: { timeZone: 'UTC', hours: '24x7' } },
  tiers: {
    rapid: {
      channels: ['WEB', 'EMAIL', 'CHAT', 'PHONE'],
      calendar: 'always',
      targets: {
        CRITICAL: { firstResponse: 'PT2S' },
        HIGH: { firstResponse: 'PT2S' },
        MEDIUM: { firstResponse: 'PT2S' },
        LOW: { firstResponse: 'PT2S' },
      },
      onBreach: { FIRST_RESPONSE: { escalateTo: 3 } },
    },
  },
};

/** Polls `read` until `done` holds for its value or the deadline passes (then fails with the last value). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Breach { ticketId: string; metric: string; tier: string; priority: string; dueAt: string; breachedAt: string; lateBy: number }
interface Entry { revision: number; type: string; actorId: string; actorRole: string; data: Record<string, unknown> }

describe('an SLA breach on the real clock', () => {
  let harness: Harness;
  let policyDir: string;
  let as: (role: 'admin' | 'agent' | 'supervisor') => GraphQLClient;
  let ticketId: string;
  let openedAt: number;

  beforeAll(async () => {
    policyDir = mkdtempSync(join(tmpdir(), 'tracedesk-policy-'));
    const policyFile = join(policyDir, 'sla-policy.json');
    writeFileSync(policyFile, JSON.stringify(POLICY));
    harness = await startHarness({ SLA_POLICY_FILE: policyFile, SLA_WATCHER_INTERVAL_MS: '200' });
    const tokens = {
      admin: await harness.token({ sub: 'root', role: 'admin' }),
      agent: await harness.token({ sub: 'alice', role: 'agent' }),
      supervisor: await harness.token({ sub: 'sam', role: 'supervisor' }),
    };
    as = (role) => new GraphQLClient(harness.graphqlUrl, { headers: { authorization: `Bearer ${tokens[role]}` } });
    await as('admin').request(gql`mutation { registerOrganization(input: { id: "hooli", name: "Hooli", tier: "rapid" }) { id } }`);
    await as('admin').request(gql`mutation { addContact(input: { organizationId: "hooli", contactId: "gavin", name: "Gavin", email: "gavin@hooli.example", kind: STAFF }) { id } }`);
  });
  afterAll(async () => {
    await harness.close();
    rmSync(policyDir, { recursive: true, force: true });
  });

  it('the ticket is opened with a first response due in two seconds', async () => {
    openedAt = Date.now();
    const opened = await as('agent').request<{ openTicket: { ticket: { id: string; tier: string; sla: { metric: string; status: string; dueAt: string }[] } } }>(
      gql`mutation { openTicket(input: { organizationId: "hooli", contactId: "gavin", channel: WEB, type: PROBLEM, title: "Down", description: "Nothing loads" }) { ticket { id tier sla { metric status dueAt } } } }`,
    );
    ticketId = opened.openTicket.ticket.id;
    expect(opened.openTicket.ticket.tier).toBe('rapid');
    const first = opened.openTicket.ticket.sla.find((c) => c.metric === 'FIRST_RESPONSE')!;
    expect(first.status).toBe('RUNNING');
    const dueIn = new Date(first.dueAt).getTime() - openedAt;
    expect(dueIn).toBeGreaterThan(0);
    expect(dueIn).toBeLessThanOrEqual(2_500);
  });

  it('the watcher breaches it: slaBreaches lists it', async () => {
    const breaches = await eventually(
      async () =>
        (await as('supervisor').request<{ slaBreaches: { edges: { node: Breach }[] } }>(
          gql`query($id: ID!) { slaBreaches(filter: { ticketId: $id }) { edges { node { ticketId metric tier priority dueAt breachedAt lateBy } } } }`,
          { id: ticketId },
        )).slaBreaches.edges.map((e) => e.node),
      (rows) => rows.length > 0,
    );
    expect(breaches).toEqual([expect.objectContaining({ ticketId, metric: 'FIRST_RESPONSE', tier: 'rapid', priority: 'MEDIUM' })]);
    const [breach] = breaches;
    expect(new Date(breach!.breachedAt).getTime()).toBeGreaterThanOrEqual(new Date(breach!.dueAt).getTime());
    // Bounded by the watcher's interval plus a margin, not by luck.
    expect(new Date(breach!.breachedAt).getTime() - new Date(breach!.dueAt).getTime()).toBeLessThan(3_000);
  });

  it('the history has SlaClockBreached, then the saga\'s TicketEscalated by onBreach.FIRST_RESPONSE', async () => {
    const history = await eventually(
      async () =>
        (await as('supervisor').request<{ ticketHistory: Entry[] }>(gql`query($id: ID!) { ticketHistory(id: $id) { revision type actorId actorRole data } }`, { id: ticketId }))
          .ticketHistory,
      (events) => events.some((e) => e.type === 'TicketEscalated'),
    );
    const breached = history.findIndex((e) => e.type === 'SlaClockBreached');
    const escalated = history.findIndex((e) => e.type === 'TicketEscalated');
    expect(breached).toBeGreaterThanOrEqual(0);
    expect(escalated).toBeGreaterThan(breached);
    expect(history[breached]).toMatchObject({ actorRole: 'system', data: expect.objectContaining({ metric: 'FIRST_RESPONSE' }) });
    expect(history[escalated]).toMatchObject({ actorId: 'onBreach.FIRST_RESPONSE', actorRole: 'system', data: expect.objectContaining({ from: 0, to: 3, rule: 'onBreach.FIRST_RESPONSE' }) });
  });

  it('the ticket shows escalation level 3 and the FIRST_RESPONSE clock BREACHED', async () => {
    const { ticket } = await as('agent').request<{ ticket: { escalationLevel: number; sla: { metric: string; status: string; breachedAt: string | null }[] } }>(
      gql`query($id: ID!) { ticket(id: $id) { escalationLevel sla { metric status breachedAt } } }`,
      { id: ticketId },
    );
    expect(ticket.escalationLevel).toBe(3);
    expect(ticket.sla.find((c) => c.metric === 'FIRST_RESPONSE')).toMatchObject({ status: 'BREACHED', breachedAt: expect.any(String) });
  });

  it('the queue filtered on breached: true shows it (and breached: false does not)', async () => {
    const queue = (breached: boolean) => async (): Promise<{ id: string; breached: boolean; escalationLevel: number }[]> =>
      (await as('agent').request<{ queue: { edges: { node: { id: string; breached: boolean; escalationLevel: number } }[] } }>(
        gql`query($b: Boolean) { queue(filter: { breached: $b }) { edges { node { id breached escalationLevel } } } }`,
        { b: breached },
      )).queue.edges.map((e) => e.node);
    const rows = await eventually(queue(true), (nodes) => nodes.some((n) => n.id === ticketId && n.escalationLevel === 3));
    expect(rows.find((n) => n.id === ticketId)).toEqual({ id: ticketId, breached: true, escalationLevel: 3 });
    expect((await queue(false)()).map((n) => n.id)).not.toContain(ticketId);
  });
});
