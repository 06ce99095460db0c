/**
 * A ticket's whole life through the real server (child process, free port, fresh DATA_DIR),
 * spoken to with a real GraphQL client over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { startHarness, type Harness } from '../../apps/gateway/src/testing/gateway-harness.js';

interface Clock { metric: string; status: string; dueAt: string | null }
interface Ticket { id: string; status: string; priority: string; assigneeId: string | null; group: string | null; escalationLevel: number; firstRespondedAt: string | null; resolvedAt: string | null; revision: number; sla: Clock[] }
interface Result { revision: number; position: string; ticket: Ticket }

const TICKET = 'id status priority assigneeId group escalationLevel firstRespondedAt resolvedAt revision sla { metric status dueAt }';
const RESULT = `{ revision position ticket { ${TICKET} } }`;

async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string; rule?: string; fields?: unknown }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ClientError) {
      const first = error.response.errors?.[0];
      return { message: first?.message ?? '', ...(first?.extensions as { code: string; rule?: string }) };
    }
    throw error;
  }
  throw new Error('expected the call to be refused');
}

const clock = (ticket: Ticket, metric: string): Clock | undefined => ticket.sla.find((c) => c.metric === metric);

describe('a ticket from opening to closing, over GraphQL', () => {
  let harness: Harness;
  let client: (role: string) => GraphQLClient;
  let ticketId: string;
  let lastRevision = -1;

  const mutate = async (role: string, name: string, inputType: string, input: Record<string, unknown>): Promise<Result> => {
    const data = await client(role).request<Record<string, Result>>(
      gql`mutation($input: ${inputType}!) { ${name}(input: $input) ${RESULT} }`,
      { input: { ticketId, ...input } },
    );
    const result = data[name]!;
    // Every accepted command appends: revisions only go up, and the result carries them.
    expect(result.revision).toBeGreaterThan(lastRevision);
    expect(result.ticket.revision).toBe(result.revision);
    expect(BigInt(result.position)).toBeGreaterThan(0n);
    lastRevision = result.revision;
    return result;
  };

  beforeAll(async () => {
    // Seal often, so the history's head is covered by a signed seal before the test asks.
    harness = await startHarness({ SEAL_INTERVAL_MS: '200' });
    const tokens: Record<string, string> = {
      admin: await harness.token({ sub: 'root', role: 'admin' }),
      customer: await harness.token({ sub: 'kate', role: 'customer', org: 'globex', name: 'Kate' }),
      distributor: await harness.token({ sub: 'dave', role: 'customer', org: 'globex' }),
      outsider: await harness.token({ sub: 'olga', role: 'customer', org: 'initech' }),
      agent: await harness.token({ sub: 'alice', role: 'agent' }),
      auditor: await harness.token({ sub: 'audrey', role: 'auditor' }),
    };
    client = (role) => new GraphQLClient(harness.graphqlUrl, { headers: { authorization: `Bearer ${tokens[role]}` } });
  });
  afterAll(() => harness.close());

  it('admin registers an enterprise organization with a staff and a distributor contact', async () => {
    const admin = client('admin');
    const org = await admin.request<{ registerOrganization: { id: string; tier: string } }>(
      gql`mutation { registerOrganization(input: { id: "globex", name: "Globex", tier: "enterprise" }) { id tier } }`,
    );
    expect(org.registerOrganization).toEqual({ id: 'globex', tier: 'enterprise' });
    await admin.request(gql`mutation { registerOrganization(input: { id: "initech", name: "Initech", tier: "pro" }) { id } }`);
    for (const [contactId, kind, org] of [['kate', 'STAFF', 'globex'], ['dave', 'DISTRIBUTOR', 'globex'], ['olga', 'STAFF', 'initech']]) {
      const added = await admin.request<{ addContact: { id: string; kind: string } }>(
        gql`mutation($input: AddContactInput!) { addContact(input: $input) { id kind } }`,
        { input: { organizationId: org, contactId, name: contactId, email: `${contactId}@${org}.example`, kind } },
      );
      expect(added.addContact).toEqual({ id: contactId, kind });
    }
    const read = await admin.request<{ organization: { contacts: { id: string }[] } }>(gql`{ organization(id: "globex") { contacts { id } } }`);
    expect(read.organization.contacts.map((c) => c.id).sort()).toEqual(['dave', 'kate']);
  });

  it('the customer opens a ticket: NEW, first-response and resolution clocks running', async () => {
    const data = await client('customer').request<{ openTicket: Result }>(
      gql`mutation($input: OpenTicketInput!) { openTicket(input: $input) ${RESULT} }`,
      { input: { channel: 'CHAT', type: 'PROBLEM', title: 'Exports fail', description: 'Every CSV export times out since this morning.' } },
    );
    const { ticket, revision } = data.openTicket;
    ticketId = ticket.id;
    lastRevision = revision;
    expect(ticket.status).toBe('NEW');
    expect(ticket.priority).toBe('MEDIUM');
    expect(clock(ticket, 'FIRST_RESPONSE')).toMatchObject({ status: 'RUNNING', dueAt: expect.any(String) });
    expect(clock(ticket, 'RESOLUTION')).toMatchObject({ status: 'RUNNING' });
  });

  it('the agent triages: priority with a reason, assignment, a reply that meets the first response', async () => {
    const before = (await client('agent').request<{ ticket: Ticket }>(gql`query($id: ID!) { ticket(id: $id) { ${TICKET} } }`, { id: ticketId })).ticket;
    const changed = await mutate('agent', 'changePriority', 'ChangePriorityInput', { priority: 'HIGH', reason: 'Blocks month-end reporting' });
    expect(changed.ticket.priority).toBe('HIGH');
    // HIGH has a shorter first-response target than MEDIUM: the due time is recalculated.
    expect(new Date(clock(changed.ticket, 'FIRST_RESPONSE')!.dueAt!).getTime()).toBeLessThan(new Date(clock(before, 'FIRST_RESPONSE')!.dueAt!).getTime());
    const assigned = await mutate('agent', 'assignTicket', 'AssignTicketInput', { assigneeId: 'alice', group: 'frontline' });
    expect(assigned.ticket).toMatchObject({ status: 'OPEN', assigneeId: 'alice', group: 'frontline' });
    const replied = await mutate('agent', 'replyToTicket', 'TicketBodyInput', { body: 'Looking into it now.' });
    expect(replied.ticket.firstRespondedAt).not.toBeNull();
    expect(clock(replied.ticket, 'FIRST_RESPONSE')!.status).toBe('MET');
  });

  it('awaiting the customer pauses resolution; the customer reply resumes it', async () => {
    const waiting = await mutate('agent', 'awaitCustomer', 'TicketBodyInput', { body: 'Which export format do you use?' });
    expect(waiting.ticket.status).toBe('AWAITING_CUSTOMER');
    expect(clock(waiting.ticket, 'RESOLUTION')).toMatchObject({ status: 'PAUSED', dueAt: null });
    const answered = await mutate('customer', 'replyToTicket', 'TicketBodyInput', { body: 'CSV with semicolons.' });
    expect(answered.ticket.status).toBe('OPEN');
    expect(clock(answered.ticket, 'RESOLUTION')).toMatchObject({ status: 'RUNNING', dueAt: expect.any(String) });
    expect(clock(answered.ticket, 'NEXT_RESPONSE')).toMatchObject({ status: 'RUNNING' });
  });

  it('escalate, resolve, reopen, resolve, close', async () => {
    const escalated = await mutate('agent', 'escalateTicket', 'EscalateTicketInput', { level: 2, reason: 'Needs the export service team' });
    expect(escalated.ticket.escalationLevel).toBe(2);
    const resolved = await mutate('agent', 'resolveTicket', 'ResolveTicketInput', { resolution: 'Timeout raised; exports work again.' });
    expect(resolved.ticket.status).toBe('RESOLVED');
    expect(resolved.ticket.resolvedAt).not.toBeNull();
    expect(clock(resolved.ticket, 'RESOLUTION')!.status).toBe('MET');
    const reopened = await mutate('agent', 'reopenTicket', 'ReopenTicketInput', { reason: 'Customer reports it again' });
    expect(reopened.ticket).toMatchObject({ status: 'OPEN', resolvedAt: null });
    expect(clock(reopened.ticket, 'RESOLUTION')!.status).toBe('RUNNING');
    expect((await mutate('agent', 'resolveTicket', 'ResolveTicketInput', { resolution: 'Fixed for good.' })).ticket.status).toBe('RESOLVED');
    const closed = await mutate('agent', 'closeTicket', 'CloseTicketInput', {});
    expect(closed.ticket.status).toBe('CLOSED');
    const more = await refusal(mutate('agent', 'replyToTicket', 'TicketBodyInput', { body: 'Anything else?' }));
    expect(more).toMatchObject({ code: 'RULE_VIOLATION', rule: 'TICKET_CLOSED' });
  });

  it('the queue, read at the position of a write, shows the new ticket', async () => {
    const opened = await client('customer').request<{ openTicket: Result }>(
      gql`mutation($input: OpenTicketInput!) { openTicket(input: $input) ${RESULT} }`,
      { input: { channel: 'WEB', type: 'QUESTION', title: 'Second question', description: 'How do I add a user?' } },
    );
    const queue = await client('agent').request<{ queue: { totalCount: number; edges: { cursor: string; node: { id: string; status: string } }[]; pageInfo: { endCursor: string } } }>(
      gql`query($at: String) { queue(atLeastPosition: $at, first: 50) { totalCount edges { cursor node { id status } } pageInfo { endCursor hasNextPage } } }`,
      { at: opened.openTicket.position },
    );
    const ids = queue.queue.edges.map((e) => e.node.id);
    expect(ids).toContain(opened.openTicket.ticket.id);
    expect(ids).not.toContain(ticketId); // closed tickets leave the queue
    expect(queue.queue.edges.at(-1)!.cursor).toBe(queue.queue.pageInfo.endCursor);
    const outsider = await client('outsider').request<{ queue: { totalCount: number } }>(gql`{ queue { totalCount } }`);
    expect(outsider.queue.totalCount).toBe(0);
  });

  it('the auditor lists every event with actor and role, folds as-of, verifies', async () => {
    const { ticketHistory } = await client('auditor').request<{ ticketHistory: { revision: number; type: string; actorId: string; actorRole: string; position: string; data: unknown }[] }>(
      gql`query($id: ID!) { ticketHistory(id: $id) { revision position type occurredAt actorId actorRole data hash } }`,
      { id: ticketId },
    );
    expect(ticketHistory.map((e) => e.revision)).toEqual([...Array(lastRevision + 1).keys()]);
    expect(ticketHistory[0]).toMatchObject({ type: 'TicketOpened', actorId: 'kate', actorRole: 'customer' });
    expect(ticketHistory.find((e) => e.type === 'TicketPriorityChanged')).toMatchObject({ actorId: 'alice', actorRole: 'agent' });
    expect(ticketHistory.find((e) => e.type === 'CustomerReplied')).toMatchObject({ actorId: 'kate', actorRole: 'customer' });
    expect(ticketHistory.at(-1)!.type).toBe('TicketClosed');
    const asOf = await client('auditor').request<{ ticketAsOf: Ticket }>(gql`query($id: ID!) { ticketAsOf(id: $id, revision: 0) { ${TICKET} } }`, { id: ticketId });
    expect(asOf.ticketAsOf).toMatchObject({ status: 'NEW', priority: 'MEDIUM', revision: 0 });
    const triage = await client('auditor').request<{ ticketHistory: Array<{ type: string; reason: string | null; policyVersion: string | null; changes: string[] }> }>(
      gql`query($id: ID!) { ticketHistory(id: $id) { type reason policyVersion changes } }`,
      { id: ticketId },
    );
    const priorityChange = triage.ticketHistory.find((e) => e.type === 'TicketPriorityChanged')!;
    expect(priorityChange.reason).toBeTruthy();
    expect(priorityChange.policyVersion).toBeTruthy();
    expect(priorityChange.changes.some((change) => /priority/i.test(change))).toBe(true);
    // The sealer signs the head within a few of its 200 ms rounds.
    const verify = () =>
      client('auditor').request<{ verifyTicketHistory: Record<string, unknown> }>(
        gql`query($id: ID!) { verifyTicketHistory(id: $id) { ok checkedEvents firstBadRevision sealed sealedRevision sealProblem } }`,
        { id: ticketId },
      );
    let verified = await verify();
    for (let i = 0; i < 50 && verified.verifyTicketHistory['sealedRevision'] !== lastRevision; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      verified = await verify();
    }
    expect(verified.verifyTicketHistory).toEqual({
      ok: true,
      checkedEvents: lastRevision + 1,
      firstBadRevision: null,
      sealed: true,
      sealedRevision: lastRevision,
      sealProblem: null,
    });
  });

  it('a distributor contact is refused with RULE_VIOLATION', async () => {
    const refused = await refusal(
      client('distributor').request(gql`mutation { openTicket(input: { channel: WEB, type: QUESTION, title: "Resale", description: "For my client" }) { revision } }`),
    );
    expect(refused).toMatchObject({ code: 'RULE_VIOLATION', rule: 'DISTRIBUTOR_NOT_SUPPORTED' });
  });

  it("another organization's customer gets NOT_FOUND, as for a missing ticket", async () => {
    const read = await client('outsider').request<{ ticket: unknown }>(gql`query($id: ID!) { ticket(id: $id) { id } }`, { id: ticketId });
    expect(read.ticket).toBeNull();
    const reply = await refusal(client('outsider').request(gql`mutation($id: ID!) { replyToTicket(input: { ticketId: $id, body: "hi" }) { revision } }`, { id: ticketId }));
    expect(reply.code).toBe('NOT_FOUND');
    const missing = await refusal(client('agent').request(gql`mutation { replyToTicket(input: { ticketId: "NOPE-1", body: "hi" }) { revision } }`));
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('bad input gets BAD_USER_INPUT naming the field, and appends nothing', async () => {
    const opened = await client('customer').request<{ openTicket: Result }>(
      gql`mutation { openTicket(input: { channel: EMAIL, type: QUESTION, title: "Third", description: "x" }) ${RESULT} }`,
    );
    const id = opened.openTicket.ticket.id;
    const refused = await refusal(
      client('agent').request(gql`mutation($id: ID!) { changePriority(input: { ticketId: $id, priority: LOW, reason: "" }) { revision } }`, { id }),
    );
    expect(refused.code).toBe('BAD_USER_INPUT');
    expect(refused.message).toMatch(/reason/);
    expect(refused.fields).toEqual([expect.objectContaining({ field: 'reason' })]);
    const title = await refusal(
      client('customer').request(gql`mutation($t: String!) { openTicket(input: { channel: WEB, type: QUESTION, title: $t, description: "x" }) { revision } }`, { t: 'x'.repeat(500) }),
    );
    expect(title).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/title/) });
    const after = await client('agent').request<{ ticket: Ticket }>(gql`query($id: ID!) { ticket(id: $id) { revision priority } }`, { id });
    expect(after.ticket).toEqual({ revision: opened.openTicket.revision, priority: 'MEDIUM' });
  });
});
