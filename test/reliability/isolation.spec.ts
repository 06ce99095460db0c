/**
 * Isolation between organizations: a customer of A tries every read operation of API.md
 * (ticket, queue, slaBreaches, tierReport, ticketHistory, ticketAsOf, verifyTicketHistory,
 * organization with its contacts, and the ticketEvents / queueChanged subscriptions over
 * WebSocket) with ids taken from B and guessed ones, and every mutation on B's tickets. Per
 * docs/security.md it gets nothing of B: another organization's ticket or organization is
 * answered exactly like a missing one (null / NOT_FOUND), staff-only reads are FORBIDDEN
 * whatever the id, the queue is A's whatever the filter; refused mutations append nothing.
 * B's data carries marker strings that must never appear in anything A receives.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { startHarness, type Harness } from '../../apps/gateway/src/testing/gateway-harness.js';
import { subscribe, wsClient } from '../../apps/gateway/src/testing/ws-client.js';
import { EventLog, bearer, leaks, post, report, type RawReply } from './reliability-kit.js';

const MARKERS = ['BETA-SECRET', 'beta-secret.example', 'Beta Secret Corp', 'bob-the-beta'];
const TICKET = 'id organizationId title description status priority revision';
const RESULT = `{ revision position ticket { ${TICKET} } }`;

describe('a customer of organization A gets nothing of organization B', () => {
  let harness: Harness;
  let agent: string;
  let customerA: string;
  const ticketsA: string[] = [];
  const ticketsB: string[] = [];
  const positionsB: string[] = [];
  const replies: Array<{ what: string; reply: RawReply }> = [];
  const clients: Client[] = [];
  let requests = 0;

  const asA = async (what: string, query: string, variables: Record<string, unknown> = {}): Promise<RawReply> => {
    const reply = await post(harness.graphqlUrl, { query, variables }, bearer(customerA));
    requests++;
    replies.push({ what, reply });
    expect({ what, status: reply.status < 500 }).toEqual({ what, status: true });
    return reply;
  };
  /** The answer with the id asked for replaced: another organization's id must read like a missing one. */
  const masked = (reply: RawReply, id: string): string => reply.text.split(id).join('<id>');

  beforeAll(async () => {
    harness = await startHarness({ RATE_LIMIT_MAX: '1000000' });
    const admin = await harness.token({ sub: 'root', role: 'admin' });
    agent = await harness.token({ sub: 'alice', role: 'agent' });
    customerA = await harness.token({ sub: 'kim', role: 'customer', org: 'acme' });
    const setup = async (token: string, query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const reply = await harness.gql(token, query, variables);
      expect(reply.errors).toEqual([]);
      return reply.data!;
    };
    const register = 'mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }';
    await setup(admin, register, { input: { id: 'acme', name: 'Acme', tier: 'enterprise' } });
    await setup(admin, register, { input: { id: 'beta', name: 'Beta Secret Corp', tier: 'enterprise' } });
    const contact = 'mutation($input: AddContactInput!) { addContact(input: $input) { id } }';
    await setup(admin, contact, { input: { organizationId: 'acme', contactId: 'kim', name: 'Kim', email: 'kim@acme.example', kind: 'STAFF' } });
    await setup(admin, contact, { input: { organizationId: 'beta', contactId: 'bob-the-beta', name: 'Bob', email: 'bob@beta-secret.example', kind: 'STAFF' } });
    const open = `mutation($input: OpenTicketInput!) { openTicket(input: $input) ${RESULT} }`;
    for (let i = 0; i < 3; i++) {
      const a = await setup(agent, open, { input: { organizationId: 'acme', contactId: 'kim', channel: 'CHAT', type: 'PROBLEM', title: `Acme ticket ${i}`, description: 'Ours', requestedPriority: 'CRITICAL' } });
      ticketsA.push((a['openTicket'] as { ticket: { id: string } }).ticket.id);
      const b = await setup(agent, open, { input: { organizationId: 'beta', contactId: 'bob-the-beta', channel: 'CHAT', type: 'PROBLEM', title: `BETA-SECRET title ${i}`, description: 'BETA-SECRET description', requestedPriority: 'CRITICAL' } });
      const result = b['openTicket'] as { position: string; ticket: { id: string } };
      ticketsB.push(result.ticket.id);
      positionsB.push(result.position);
      await setup(agent, `mutation($input: TicketBodyInput!) { addInternalNote(input: $input) { revision } }`, { input: { ticketId: result.ticket.id, body: 'BETA-SECRET internal note' } });
      await setup(agent, `mutation($input: TicketBodyInput!) { replyToTicket(input: $input) { revision } }`, { input: { ticketId: result.ticket.id, body: 'BETA-SECRET public reply' } });
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await harness?.close();
  });

  /** Ids that are not A's: B's own, B's with a twist, and guessed ones of the right shape. */
  const foreignIds = (): string[] => [
    ...ticketsB,
    ...ticketsB.map((id) => id.toLowerCase()),
    ...ticketsB.map((id) => ` ${id}`),
    'TD-000000', 'TD-ZZZZZZ', 'TD-AAAAAA', 'T-1', '1', 'beta', '*', '%', 'TD-%', "TD-' OR '1'='1",
    ...Array.from({ length: 30 }, (_, i) => `TD-${(i * 7919 + 100_000).toString(36).toUpperCase().padStart(6, '0').slice(-6)}`),
  ];
  const MISSING = 'TD-NOPE00';

  it('ticket(id): B\'s tickets read exactly like missing ones (null), with or without atLeastPosition', async () => {
    const query = `query($id: ID!, $at: String) { ticket(id: $id, atLeastPosition: $at) { ${TICKET} } }`;
    const own = await asA('own ticket', query, { id: ticketsA[0] });
    expect((own.body!.data!['ticket'] as { id: string }).id).toBe(ticketsA[0]); // the caller can read: the refusals below mean something
    const missing = await asA('missing ticket', query, { id: MISSING });
    expect(missing.body).toEqual({ data: { ticket: null } });
    for (const id of foreignIds()) {
      for (const at of [undefined, positionsB[0]]) {
        const reply = await asA(`ticket ${id}`, query, { id, ...(at && { at }) });
        expect({ id, answer: masked(reply, id) }).toEqual({ id, answer: masked(missing, MISSING) });
      }
    }
  });

  it('queue: only A\'s rows whatever the filter, page size or cursor (even a cursor taken from B\'s rows)', async () => {
    const all = ['NEW', 'OPEN', 'AWAITING_CUSTOMER', 'RESOLVED', 'CLOSED'];
    const query = 'query($filter: QueueFilter, $first: Int, $after: String) { queue(filter: $filter, first: $first, after: $after) { totalCount edges { cursor node { id organizationId title } } pageInfo { hasNextPage endCursor } } }';
    // An agent's page holds B's rows and their cursors.
    const staff = await post(harness.graphqlUrl, { query, variables: { filter: { status: all }, first: 50 } }, bearer(agent));
    const staffRows = (staff.body!.data!['queue'] as { edges: Array<{ cursor: string; node: { organizationId: string } }> }).edges;
    expect(staffRows.some((e) => e.node.organizationId === 'beta')).toBe(true);
    const cursorsB = staffRows.filter((e) => e.node.organizationId === 'beta').map((e) => e.cursor);
    const filters = [
      undefined,
      { organizationId: 'beta' },
      { organizationId: 'beta', status: all },
      { organizationId: null, status: all },
      { tier: ['enterprise', 'pro', 'free'], status: all },
      { priority: ['CRITICAL'], status: all },
      { assigneeId: null },
      { group: 'frontline' },
    ];
    for (const filter of filters) {
      for (const after of [undefined, ...cursorsB]) {
        const reply = await asA(`queue ${JSON.stringify(filter)} after ${after}`, query, { ...(filter && { filter }), first: 50, ...(after && { after }) });
        if (reply.body?.errors?.length) {
          expect(reply.body.errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
          continue;
        }
        const page = reply.body!.data!['queue'] as { totalCount: number; edges: Array<{ node: { id: string; organizationId: string } }> };
        expect(page.edges.every((e) => e.node.organizationId === 'acme')).toBe(true);
        expect(page.edges.some((e) => ticketsB.includes(e.node.id))).toBe(false);
        expect(page.totalCount).toBeLessThanOrEqual(ticketsA.length);
      }
    }
    // And A's own rows are there (the filter is applied, not everything hidden).
    const mine = await asA('queue, no filter', query, { first: 50 });
    expect((mine.body!.data!['queue'] as { totalCount: number }).totalCount).toBe(ticketsA.length);
  });

  it('staff-only reads (history, as-of, verify, breaches, reports) are FORBIDDEN whatever the id: no probing', async () => {
    const byId: Array<[string, string]> = [
      ['ticketHistory', 'query($id: ID!) { ticketHistory(id: $id) { revision type data } }'],
      ['ticketAsOf', `query($id: ID!) { ticketAsOf(id: $id, revision: 0) { ${TICKET} } }`],
      ['verifyTicketHistory', 'query($id: ID!) { verifyTicketHistory(id: $id) { ok checkedEvents } }'],
    ];
    for (const [name, query] of byId) {
      const own = await asA(`${name} own`, query, { id: ticketsA[0] });
      expect(own.body!.errors!.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      for (const id of [...foreignIds(), MISSING]) {
        const reply = await asA(`${name} ${id}`, query, { id });
        // (The FORBIDDEN message names the operation, not the id: the whole answer must match.)
        expect({ name, id, answer: reply.body }).toEqual({ name, id, answer: own.body });
      }
    }
    for (const [name, query, variables] of [
      ['slaBreaches', 'query($f: BreachFilter) { slaBreaches(filter: $f) { totalCount edges { node { ticketId organizationId } } } }', { f: { organizationId: 'beta' } }],
      ['slaBreaches', 'query($f: BreachFilter) { slaBreaches(filter: $f) { totalCount } }', { f: { ticketId: ticketsB[0] } }],
      ['tierReport', 'query { tierReport(from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z") { tier opened } }', {}],
      ['tierReport', 'query { tierReport(from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z", tier: "enterprise") { tier opened } }', {}],
    ] as const) {
      const reply = await asA(name, query, variables);
      expect({ name, data: reply.body!.data ?? null, codes: reply.body!.errors!.map((e) => e.extensions?.code) }).toEqual({ name, data: null, codes: ['FORBIDDEN'] });
    }
  });

  it('organization(id): B and guessed ones read like a missing organization (null), contacts included', async () => {
    const query = 'query($id: ID!) { organization(id: $id) { id name tier contacts { id name email } } }';
    const own = await asA('own organization', query, { id: 'acme' });
    expect((own.body!.data!['organization'] as { contacts: Array<{ id: string }> }).contacts.map((c) => c.id)).toEqual(['kim']);
    const missing = await asA('missing organization', query, { id: 'no-such-org' });
    expect(missing.body).toEqual({ data: { organization: null } });
    for (const id of ['beta', 'BETA', 'beta ', ' beta', 'beta.', 'Beta', 'acme/../beta', '*', '%', "' OR 1=1 --", 'globex', 'initech']) {
      const reply = await asA(`organization ${id}`, query, { id });
      expect({ id, answer: masked(reply, id) }).toEqual({ id, answer: masked(missing, 'no-such-org') });
    }
  });

  it('subscriptions: ticketEvents of B\'s tickets is NOT_FOUND like a missing one; queueChanged shows A\'s rows only', async () => {
    const ws = wsClient(harness.graphqlUrl, customerA);
    clients.push(ws);
    const EVENTS = 'subscription($id: ID!, $after: String) { ticketEvents(ticketId: $id, after: $after) { revision type data } }';
    const endedWith = async (id: string, after?: string): Promise<string> => {
      const sub = subscribe<unknown>(ws, EVENTS, { id, ...(after && { after }) });
      requests++;
      let timer: NodeJS.Timeout | undefined;
      const how = await Promise.race([sub.ended, new Promise<{ timeout: true }>((resolve) => (timer = setTimeout(() => resolve({ timeout: true }), 5_000)))]);
      clearTimeout(timer);
      sub.unsubscribe();
      // Every event of B (or a timeout: the subscription was accepted) would be a leak.
      return 'errors' in how ? JSON.stringify(how.errors.map((e) => ({ code: e.extensions?.code, message: e.message.split(id).join('<id>') }))) : JSON.stringify(how);
    };
    const missing = await endedWith(MISSING);
    expect(missing).toContain('NOT_FOUND');
    for (const id of [...ticketsB, ...ticketsB.map((t) => t.toLowerCase()), 'TD-000000']) {
      expect({ id, answer: await endedWith(id) }).toEqual({ id, answer: missing });
      // Resuming from position 0 (replay of the whole log) does not open it either.
      expect({ id, answer: await endedWith(id, '0') }).toEqual({ id, answer: missing });
    }

    // queueChanged with B's organization in the filter: B changes first, then A; once A's row
    // arrives every earlier change (B's) has been passed over, so none may have been sent.
    const QUEUE = 'subscription($filter: QueueFilter) { queueChanged(filter: $filter) { id organizationId title } }';
    const queueSubs = [subscribe<{ queueChanged: { id: string; organizationId: string; title: string } }>(ws, QUEUE, { filter: { organizationId: 'beta' } }), subscribe<{ queueChanged: { id: string; organizationId: string; title: string } }>(ws, QUEUE, {})];
    const own = subscribe<{ ticketEvents: { type: string; data: Record<string, unknown> } }>(ws, EVENTS, { id: ticketsA[0] });
    requests += 3;
    // Wait until the server counts them as open (the store subscription starts at the head then).
    for (const deadline = Date.now() + 5_000; ; ) {
      const metrics = await (await fetch(`${harness.url}/metrics`)).text();
      const open = (name: string): number => Number(new RegExp(`^tracedesk_graphql_subscriptions\\{subscription="${name}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
      if (open('queueChanged') >= 2 && open('ticketEvents') >= 1) break;
      if (Date.now() > deadline) throw new Error('subscriptions did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const change = 'mutation($input: ChangePriorityInput!) { changePriority(input: $input) { revision } }';
    for (const id of ticketsB) {
      const reply = await harness.gql(agent, change, { input: { ticketId: id, priority: 'HIGH', reason: 'BETA-SECRET reprioritised' } });
      expect(reply.errors).toEqual([]);
      await harness.gql(agent, 'mutation($input: TicketBodyInput!) { addInternalNote(input: $input) { revision } }', { input: { ticketId: id, body: 'BETA-SECRET note 2' } });
    }
    await harness.gql(agent, change, { input: { ticketId: ticketsA[0], priority: 'HIGH', reason: 'ours' } });
    const [filtered, unfiltered] = await Promise.all(queueSubs.map((s) => s.take(1, 15_000)));
    for (const rows of [filtered!, unfiltered!]) expect(rows.map((r) => r.queueChanged)).toEqual([expect.objectContaining({ id: ticketsA[0], organizationId: 'acme' })]);
    const ownEvents = await own.take(1, 10_000);
    expect(ownEvents[0]!.ticketEvents).toMatchObject({ type: 'TicketPriorityChanged', data: { reason: 'ours' } });
    own.unsubscribe();
    // Nothing more queued behind them (B's changes came first, so they would be there).
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const s of queueSubs) {
      await expect(s.take(1, 300)).rejects.toThrow(/timed out after 0/);
      s.unsubscribe();
    }
  }, 60_000);

  it('mutations on B\'s tickets and contacts are refused like missing ones and append nothing', async () => {
    const log = new EventLog(harness.dataDir);
    const before = { tickets: ticketsB.map((id) => log.eventsInStreams(`ticket-${id}`)), beta: log.eventsInStreams('organization-beta'), all: log.stats().events };
    const attempts: Array<[string, string, (id: string) => Record<string, unknown>]> = [
      ['replyToTicket', 'TicketBodyInput', (ticketId) => ({ ticketId, body: 'from A' })],
      ['escalateTicket', 'EscalateTicketInput', (ticketId) => ({ ticketId, level: 3, reason: 'from A' })],
      ['changePriority', 'ChangePriorityInput', (ticketId) => ({ ticketId, priority: 'LOW', reason: 'from A' })],
      ['assignTicket', 'AssignTicketInput', (ticketId) => ({ ticketId, assigneeId: 'kim', group: 'x' })],
      ['addInternalNote', 'TicketBodyInput', (ticketId) => ({ ticketId, body: 'from A' })],
      ['awaitCustomer', 'TicketBodyInput', (ticketId) => ({ ticketId, body: 'from A' })],
      ['resolveTicket', 'ResolveTicketInput', (ticketId) => ({ ticketId, resolution: 'from A' })],
      ['reopenTicket', 'ReopenTicketInput', (ticketId) => ({ ticketId, reason: 'from A' })],
      ['closeTicket', 'CloseTicketInput', (ticketId) => ({ ticketId })],
    ];
    let refused = 0;
    for (const [name, type, input] of attempts) {
      const query = `mutation($input: ${type}!) { ${name}(input: $input) ${RESULT} }`;
      const missing = await asA(`${name} missing`, query, { input: input(MISSING) });
      expect(missing.body!.errors!.length).toBe(1);
      expect(['NOT_FOUND', 'FORBIDDEN']).toContain(missing.body!.errors![0]!.extensions?.code);
      for (const id of ticketsB) {
        const reply = await asA(`${name} ${id}`, query, { input: input(id) });
        refused++;
        expect({ name, id, answer: masked(reply, id) }).toEqual({ name, id, answer: masked(missing, MISSING) });
      }
    }
    // Opening a ticket in B, or for B's contact, never lands in B.
    for (const input of [
      { organizationId: 'beta', channel: 'WEB', type: 'QUESTION', title: 'into beta', description: 'x' },
      { organizationId: 'beta', contactId: 'bob-the-beta', channel: 'WEB', type: 'QUESTION', title: 'as bob', description: 'x' },
      { contactId: 'bob-the-beta', channel: 'WEB', type: 'QUESTION', title: 'as bob', description: 'x' },
    ]) {
      const reply = await asA(`openTicket ${JSON.stringify(input)}`, `mutation($input: OpenTicketInput!) { openTicket(input: $input) ${RESULT} }`, { input });
      const opened = reply.body?.data?.['openTicket'] as { ticket: { organizationId: string } } | undefined;
      if (opened) expect(opened.ticket.organizationId).toBe('acme');
      else refused++;
    }
    // Organization administration is not for customers at all.
    const addToBeta = await asA('addContact to beta', 'mutation($input: AddContactInput!) { addContact(input: $input) { id } }', { input: { organizationId: 'beta', contactId: 'kim2', name: 'x', email: 'x@y.example', kind: 'STAFF' } });
    expect(addToBeta.body!.errors!.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const tier = await asA('changeOrganizationTier beta', 'mutation { changeOrganizationTier(input: { organizationId: "beta", tier: "pro" }) { id } }');
    expect(tier.body!.errors!.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    refused += 2;
    const after = { tickets: ticketsB.map((id) => log.eventsInStreams(`ticket-${id}`)), beta: log.eventsInStreams('organization-beta') };
    log.close();
    expect(after).toEqual({ tickets: before.tickets, beta: before.beta });
    expect(before.tickets.every((n) => n > 0)).toBe(true); // the streams are where we look

    // Nothing A received, in any test, holds B's data or an internal detail.
    const leaked = replies.filter(({ reply }) => MARKERS.some((m) => reply.text.includes(m)) || leaks(reply.text)).map(({ what, reply }) => `${what}: ${reply.text.slice(0, 300)}`);
    expect(leaked).toEqual([]);
    const badCodes = replies.flatMap(({ what, reply }) => (reply.body?.errors ?? []).filter((e) => !['NOT_FOUND', 'FORBIDDEN', 'BAD_USER_INPUT', 'RULE_VIOLATION'].includes(e.extensions?.code ?? '')).map((e) => `${what}: ${e.extensions?.code}`));
    expect(badCodes).toEqual([]);
    report('isolation', { requests, httpReplies: replies.length, foreignIdsTried: foreignIds().length, mutationsRefused: refused, eventsAppendedToB: 0, leaks: 0 });
  });
});
