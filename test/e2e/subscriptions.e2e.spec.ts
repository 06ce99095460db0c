/**
 * Live updates through the real server (child process, free port, fresh DATA_DIR) with the
 * graphql-ws client over WebSocket, while mutations go over HTTP.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { startHarness, type Harness } from '../../apps/gateway/src/testing/gateway-harness.js';
import { subscribe, wsClient, type WsError } from '../../apps/gateway/src/testing/ws-client.js';

interface Entry { revision: number; position: string; type: string; actorId: string; actorRole: string; data: Record<string, unknown> }
interface Row { id: string; organizationId: string; priority: string; status: string; revision: number }
interface Result { revision: number; position: string; ticket: { id: string } }

const ENTRY = 'revision position type actorId actorRole data';
const EVENTS = `subscription($id: ID!, $after: String) { ticketEvents(ticketId: $id, after: $after) { ${ENTRY} } }`;
const QUEUE = 'subscription($filter: QueueFilter) { queueChanged(filter: $filter) { id organizationId priority status revision } }';

const codeOf = async (ended: Promise<{ errors: WsError[] } | { closed: unknown } | { complete: true }>): Promise<string> => {
  const how = await ended;
  return 'errors' in how ? (how.errors[0]?.extensions?.code ?? 'NO_CODE') : JSON.stringify(how);
};

describe('subscriptions over graphql-ws', () => {
  let harness: Harness;
  const tokens: Record<string, string> = {};
  const clients: Client[] = [];
  const client = (who: string | null): Client => {
    const made = wsClient(harness.graphqlUrl, who === null ? null : tokens[who]!);
    clients.push(made);
    return made;
  };

  const mutate = async (who: string, name: string, inputType: string, input: Record<string, unknown>): Promise<Result> => {
    const reply = await harness.gql<Record<string, Result>>(tokens[who]!, `mutation($input: ${inputType}!) { ${name}(input: $input) { revision position ticket { id } } }`, { input });
    expect(reply.errors).toEqual([]);
    return reply.data![name]!;
  };
  const open = (organizationId: string, contactId: string, title: string): Promise<Result> =>
    mutate('agent', 'openTicket', 'OpenTicketInput', { organizationId, contactId, channel: 'WEB', type: 'PROBLEM', title, description: 'Live updates please' });

  /** Open subscriptions as the server counts them (`/metrics`): how a test knows one has started. */
  const openSubscriptions = async (name: string): Promise<number> => {
    const text = await (await fetch(`${harness.url}/metrics`)).text();
    const match = new RegExp(`^tracedesk_graphql_subscriptions\\{subscription="${name}"\\} (\\d+)`, 'm').exec(text);
    return Number(match?.[1] ?? NaN);
  };
  const until = async (what: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error('condition not reached in time');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  beforeAll(async () => {
    harness = await startHarness();
    tokens['admin'] = await harness.token({ sub: 'root', role: 'admin' });
    tokens['agent'] = await harness.token({ sub: 'alice', role: 'agent' });
    tokens['analyst'] = await harness.token({ sub: 'ann', role: 'analyst' });
    tokens['customer'] = await harness.token({ sub: 'kate', role: 'customer', org: 'globex' });
    tokens['outsider'] = await harness.token({ sub: 'olga', role: 'customer', org: 'initech' });
    tokens['expired'] = await harness.token({ sub: 'alice', role: 'agent' }, Math.floor(Date.now() / 1000) - 60);
    for (const [id, tier] of [['globex', 'enterprise'], ['initech', 'pro']]) {
      await harness.gql(tokens['admin'], `mutation { registerOrganization(input: { id: "${id}", name: "${id}", tier: "${tier}" }) { id } }`);
    }
    for (const [contactId, org] of [['kate', 'globex'], ['olga', 'initech']]) {
      await harness.gql(tokens['admin'], `mutation { addContact(input: { organizationId: "${org}", contactId: "${contactId}", name: "${contactId}", email: "${contactId}@${org}.example", kind: STAFF }) { id } }`);
    }
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  afterAll(() => harness.close());

  it('an agent receives exactly the events of the mutations, in order, and nothing of other tickets', async () => {
    const opened = await open('globex', 'kate', 'Sync fails');
    const ticketId = opened.ticket.id;
    const other = await open('globex', 'kate', 'Another ticket');
    const live = subscribe<{ ticketEvents: Entry }>(client('agent'), EVENTS, { id: ticketId, after: opened.position });
    const results = [
      await mutate('agent', 'changePriority', 'ChangePriorityInput', { ticketId, priority: 'HIGH', reason: 'Blocks payroll' }),
      await mutate('agent', 'assignTicket', 'AssignTicketInput', { ticketId, assigneeId: 'alice', group: 'frontline' }),
      await mutate('agent', 'addInternalNote', 'TicketBodyInput', { ticketId: other.ticket.id, body: 'Not this one' }),
      await mutate('agent', 'replyToTicket', 'TicketBodyInput', { ticketId, body: 'On it' }),
      await mutate('agent', 'addInternalNote', 'TicketBodyInput', { ticketId, body: 'Check the sync logs' }),
    ];
    const last = results.at(-1)!;
    const history = (await harness.gql<{ ticketHistory: Entry[] }>(await harness.token({ sub: 'sam', role: 'supervisor' }), `query($id: ID!) { ticketHistory(id: $id) { ${ENTRY} } }`, { id: ticketId })).data!.ticketHistory;
    const expected = history.filter((e) => e.revision > opened.revision);
    expect(expected.at(-1)!.revision).toBe(last.revision);
    const received = (await live.take(expected.length)).map((r) => r.ticketEvents);
    expect(received).toEqual(expected);
    expect(received.map((e) => e.type)).toEqual(expect.arrayContaining(['TicketPriorityChanged', 'TicketAssigned', 'AgentReplied', 'InternalNoteAdded']));
    expect(received.find((e) => e.type === 'TicketPriorityChanged')).toMatchObject({ actorId: 'alice', actorRole: 'agent', data: expect.objectContaining({ to: 'HIGH' }) });
    // Nothing more arrives (the other ticket's note was not sent).
    await expect(live.take(1, 300)).rejects.toThrow(/timed out/);
    live.unsubscribe();
    await until(async () => (await openSubscriptions('ticketEvents')) === 0);
  });

  it('without `after`, events from the moment of subscribing on; unsubscribing closes the server side', async () => {
    const opened = await open('globex', 'kate', 'From now on');
    const ticketId = opened.ticket.id;
    const before = await openSubscriptions('ticketEvents');
    const live = subscribe<{ ticketEvents: Entry }>(client('agent'), EVENTS, { id: ticketId });
    await until(async () => (await openSubscriptions('ticketEvents')) === before + 1);
    const note = await mutate('agent', 'addInternalNote', 'TicketBodyInput', { ticketId, body: 'First live note' });
    const [event] = await live.take(1);
    expect(event!.ticketEvents).toMatchObject({ type: 'InternalNoteAdded', revision: note.revision, position: note.position });
    live.unsubscribe();
    await until(async () => (await openSubscriptions('ticketEvents')) === before);
  });

  it('a client that goes away (socket closed) leaves no subscription behind', async () => {
    const opened = await open('globex', 'kate', 'Gone away');
    const gone = wsClient(harness.graphqlUrl, tokens['agent']!);
    subscribe(gone, EVENTS, { id: opened.ticket.id });
    subscribe(gone, QUEUE, {});
    await until(async () => (await openSubscriptions('ticketEvents')) === 1 && (await openSubscriptions('queueChanged')) === 1);
    await gone.dispose();
    await until(async () => (await openSubscriptions('ticketEvents')) === 0 && (await openSubscriptions('queueChanged')) === 0);
  });

  it("the customer follows its own ticket without internal notes; another organization's customer gets NOT_FOUND", async () => {
    const opened = await open('globex', 'kate', 'Customer view');
    const ticketId = opened.ticket.id;
    const own = subscribe<{ ticketEvents: Entry }>(client('customer'), EVENTS, { id: ticketId, after: opened.position });
    await mutate('agent', 'addInternalNote', 'TicketBodyInput', { ticketId, body: 'Staff only' });
    const reply = await mutate('agent', 'replyToTicket', 'TicketBodyInput', { ticketId, body: 'Public answer' });
    const seen = (await own.take(1)).map((r) => r.ticketEvents);
    expect(seen[0]!.type).not.toBe('InternalNoteAdded');
    const rest = [...seen];
    while (rest.at(-1)!.revision < reply.revision) rest.push(...(await own.take(1)).map((r) => r.ticketEvents));
    expect(rest.map((e) => e.type)).toContain('AgentReplied');
    expect(rest.map((e) => e.type)).not.toContain('InternalNoteAdded');

    const outsider = subscribe(client('outsider'), EVENTS, { id: ticketId });
    expect(await codeOf(outsider.ended)).toBe('NOT_FOUND');
    const missing = subscribe(client('agent'), EVENTS, { id: 'NOPE-1' });
    expect(await codeOf(missing.ended)).toBe('NOT_FOUND');
  });

  it('no token, an expired token and a role outside the table are refused', async () => {
    const opened = await open('globex', 'kate', 'Refusals');
    const anonymous = subscribe(client(null), EVENTS, { id: opened.ticket.id });
    expect(await codeOf(anonymous.ended)).toBe('UNAUTHENTICATED');
    const expired = subscribe(client('expired'), QUEUE, {});
    const ended = await expired.ended;
    expect(ended).toEqual({ errors: [expect.objectContaining({ message: expect.stringMatching(/expired/), extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })] });
    const analyst = subscribe(client('analyst'), EVENTS, { id: opened.ticket.id });
    expect(await codeOf(analyst.ended)).toBe('FORBIDDEN');
    const badAfter = subscribe(client('agent'), EVENTS, { id: opened.ticket.id, after: 'soon' });
    expect(await codeOf(badAfter.ended)).toBe('BAD_USER_INPUT');
  });

  it('queueChanged sends the rows that match the filter; a customer only its own organization', async () => {
    const globex = await open('globex', 'kate', 'Queue row');
    const before = await openSubscriptions('queueChanged');
    const high = subscribe<{ queueChanged: Row }>(client('agent'), QUEUE, { filter: { priority: ['HIGH'] } });
    const outsider = subscribe<{ queueChanged: Row }>(client('outsider'), QUEUE, { filter: { organizationId: 'globex' } });
    await until(async () => (await openSubscriptions('queueChanged')) === before + 2);
    // MEDIUM → not in the agent's filter; the outsider is forced to initech whatever it asks.
    await mutate('agent', 'addInternalNote', 'TicketBodyInput', { ticketId: globex.ticket.id, body: 'still medium' });
    const raised = await mutate('agent', 'changePriority', 'ChangePriorityInput', { ticketId: globex.ticket.id, priority: 'HIGH', reason: 'Many users' });
    const initech = await open('initech', 'olga', 'Initech row');
    const [row] = await high.take(1);
    expect(row!.queueChanged).toMatchObject({ id: globex.ticket.id, organizationId: 'globex', priority: 'HIGH', revision: raised.revision });
    const [own] = await outsider.take(1);
    expect(own!.queueChanged).toMatchObject({ id: initech.ticket.id, organizationId: 'initech' });
  });
});
