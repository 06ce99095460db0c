import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { PERMISSIONS } from './auth/permissions.js';
import { TOKEN_ROLES, type TokenClaims, type TokenRole } from './auth/jwt.js';
import { startHarness, type Harness } from './testing/gateway-harness.js';
import { subscribe, wsClient } from './testing/ws-client.js';

/** Who may call what: mirrors docs/security.md (checked below) and permissions.ts. */
const EXPECTED: Record<string, string> = {
  ticket: 'customer agent supervisor',
  queue: 'customer agent supervisor analyst',
  slaBreaches: 'supervisor analyst',
  tierReport: 'analyst',
  ticketHistory: 'supervisor auditor',
  ticketAsOf: 'supervisor auditor',
  verifyTicketHistory: 'supervisor auditor',
  organization: 'customer agent supervisor admin',
  registerOrganization: 'admin',
  changeOrganizationTier: 'admin',
  addContact: 'admin',
  openTicket: 'customer agent supervisor',
  changePriority: 'agent supervisor',
  assignTicket: 'agent supervisor',
  replyToTicket: 'customer agent supervisor',
  addInternalNote: 'agent supervisor',
  awaitCustomer: 'agent supervisor',
  escalateTicket: 'customer agent supervisor',
  resolveTicket: 'agent supervisor',
  reopenTicket: 'agent supervisor',
  closeTicket: 'agent supervisor',
  ticketEvents: 'customer agent supervisor',
  queueChanged: 'customer agent supervisor analyst',
};

/** Subscriptions, run over WebSocket (graphql-ws) rather than HTTP. */
const SUBSCRIPTIONS: Record<string, (t: string) => { query: string; variables?: Record<string, unknown> }> = {
  // after "0": an allowed caller at once receives the ticket's past events.
  ticketEvents: (t) => ({ query: 'subscription($id: ID!) { ticketEvents(ticketId: $id, after: "0") { revision } }', variables: { id: t } }),
  queueChanged: () => ({ query: 'subscription { queueChanged { id } }' }),
};

const ORG = 'acme';
const CUSTOMER = 'cust';
const CLAIMS: Record<TokenRole, TokenClaims> = {
  customer: { sub: CUSTOMER, role: 'customer', org: ORG },
  agent: { sub: 'alice', role: 'agent' },
  supervisor: { sub: 'sam', role: 'supervisor' },
  auditor: { sub: 'audrey', role: 'auditor' },
  analyst: { sub: 'ann', role: 'analyst' },
  admin: { sub: 'root', role: 'admin' },
};

/** One valid call of every operation; `$t` is a ticket of the customer's organization. */
function operations(t: string): Record<string, { query: string; variables?: Record<string, unknown> }> {
  const ticketInput = (extra: Record<string, unknown>): Record<string, unknown> => ({ input: { ticketId: t, ...extra } });
  const result = '{ revision position ticket { id status } }';
  return {
    ticket: { query: 'query($id: ID!) { ticket(id: $id) { id } }', variables: { id: t } },
    queue: { query: '{ queue(first: 5) { totalCount edges { node { id } } } }' },
    slaBreaches: { query: '{ slaBreaches { totalCount } }' },
    tierReport: { query: '{ tierReport(from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z") { tier opened } }' },
    ticketHistory: { query: 'query($id: ID!) { ticketHistory(id: $id) { revision } }', variables: { id: t } },
    ticketAsOf: { query: 'query($id: ID!) { ticketAsOf(id: $id, revision: 0) { id } }', variables: { id: t } },
    verifyTicketHistory: { query: 'query($id: ID!) { verifyTicketHistory(id: $id) { ok } }', variables: { id: t } },
    organization: { query: 'query($id: ID!) { organization(id: $id) { id } }', variables: { id: ORG } },
    registerOrganization: {
      query: 'mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }',
      variables: { input: { name: 'Probe Org', tier: 'pro' } },
    },
    changeOrganizationTier: {
      query: 'mutation($input: ChangeOrganizationTierInput!) { changeOrganizationTier(input: $input) { id } }',
      variables: { input: { organizationId: ORG, tier: 'enterprise' } },
    },
    addContact: {
      query: 'mutation($input: AddContactInput!) { addContact(input: $input) { id } }',
      variables: { input: { organizationId: ORG, name: 'Probe', email: 'probe@acme.example', kind: 'STAFF' } },
    },
    openTicket: {
      query: `mutation($input: OpenTicketInput!) { openTicket(input: $input) ${result} }`,
      variables: { input: { organizationId: ORG, contactId: CUSTOMER, channel: 'WEB', type: 'QUESTION', title: 'Probe', description: 'Probe' } },
    },
    changePriority: { query: `mutation($input: ChangePriorityInput!) { changePriority(input: $input) ${result} }`, variables: ticketInput({ priority: 'HIGH', reason: 'probe' }) },
    assignTicket: { query: `mutation($input: AssignTicketInput!) { assignTicket(input: $input) ${result} }`, variables: ticketInput({ assigneeId: 'alice', group: 'frontline' }) },
    replyToTicket: { query: `mutation($input: TicketBodyInput!) { replyToTicket(input: $input) ${result} }`, variables: ticketInput({ body: 'probe' }) },
    addInternalNote: { query: `mutation($input: TicketBodyInput!) { addInternalNote(input: $input) ${result} }`, variables: ticketInput({ body: 'probe' }) },
    awaitCustomer: { query: `mutation($input: TicketBodyInput!) { awaitCustomer(input: $input) ${result} }`, variables: ticketInput({ body: 'probe' }) },
    escalateTicket: { query: `mutation($input: EscalateTicketInput!) { escalateTicket(input: $input) ${result} }`, variables: ticketInput({ level: 3, reason: 'probe' }) },
    resolveTicket: { query: `mutation($input: ResolveTicketInput!) { resolveTicket(input: $input) ${result} }`, variables: ticketInput({ resolution: 'probe' }) },
    reopenTicket: { query: `mutation($input: ReopenTicketInput!) { reopenTicket(input: $input) ${result} }`, variables: ticketInput({ reason: 'probe' }) },
    closeTicket: { query: `mutation($input: CloseTicketInput!) { closeTicket(input: $input) ${result} }`, variables: ticketInput({}) },
  };
}

/** The table of docs/security.md: operation → roles with a ✓. */
function documentedTable(): Record<string, string> {
  const doc = readFileSync(join(process.cwd(), 'docs/security.md'), 'utf8');
  const lines = doc.split('\n').filter((line) => line.startsWith('|'));
  const header = lines[0]!.split('|').map((c) => c.trim()).slice(1, -1);
  const table: Record<string, string> = {};
  for (const line of lines.slice(2)) {
    const cells = line.split('|').map((c) => c.trim()).slice(1, -1);
    table[cells[0]!] = header.slice(1).filter((_, i) => cells[i + 1] === '✓').join(' ');
  }
  return table;
}

describe('authorisation: every operation as every role', () => {
  let harness: Harness;
  let ticketId: string;
  const outcomes: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    harness = await startHarness();
    const admin = await harness.token(CLAIMS.admin);
    await harness.gql(admin, 'mutation { registerOrganization(input: { id: "acme", name: "Acme", tier: "enterprise" }) { id } }');
    await harness.gql(admin, 'mutation { addContact(input: { organizationId: "acme", contactId: "cust", name: "Cu Stomer", email: "cust@acme.example", kind: STAFF }) { id } }');
    const agent = await harness.token(CLAIMS.agent);
    const opened = await harness.gql<{ openTicket: { ticket: { id: string } } }>(agent, operations('x').openTicket!.query, operations('x').openTicket!.variables);
    ticketId = opened.data!.openTicket.ticket.id;

    const expired = await new SignJWT({ role: 'agent' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(harness.secret));
    const foreign = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('root')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-key-another-key-another-key'));
    const callers: Array<[string, string | null]> = [
      ...(await Promise.all(TOKEN_ROLES.map(async (role): Promise<[string, string]> => [role, await harness.token(CLAIMS[role])]))),
      ['no token', null],
      ['expired token', expired],
      ['other key', foreign],
    ];
    for (const [name, { query, variables }] of Object.entries(operations(ticketId))) {
      outcomes[name] = {};
      for (const [caller, token] of callers) {
        const reply = await harness.gql(token, query, variables);
        outcomes[name][caller] = reply.errors[0]?.extensions.code ?? 'OK';
      }
    }
    // Subscriptions: OK when the first result arrives, else the code of the refusal. New
    // tickets (opened until every caller has an outcome) give queueChanged something to send.
    const clients = callers.map(([, token]) => wsClient(harness.graphqlUrl, token));
    const pending: Promise<void>[] = [];
    for (const [name, operation] of Object.entries(SUBSCRIPTIONS)) {
      outcomes[name] = {};
      const { query, variables } = operation(ticketId);
      callers.forEach(([caller], i) => {
        const live = subscribe(clients[i]!, query, variables);
        pending.push(
          Promise.race([
            live.take(1, 15_000).then(() => 'OK'),
            live.ended.then((how) => ('errors' in how ? (how.errors[0]?.extensions?.code ?? 'NO_CODE') : `ENDED ${JSON.stringify(how)}`)),
          ]).then(
            (outcome) => void (outcomes[name]![caller] = outcome),
            (error: unknown) => void (outcomes[name]![caller] = String(error)),
          ),
        );
      });
    }
    let settled = false;
    const all = Promise.all(pending).finally(() => (settled = true));
    while (!settled) {
      await harness.gql(agent, operations('x').openTicket!.query, operations('x').openTicket!.variables);
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 200))]);
    }
    await Promise.all(clients.map((c) => c.dispose()));
  }, 120_000);
  afterAll(() => harness.close());

  it('the table here, docs/security.md and permissions.ts agree', () => {
    expect(documentedTable()).toEqual(EXPECTED);
    expect(Object.fromEntries(Object.entries(PERMISSIONS).map(([op, roles]) => [op, roles.join(' ')]))).toEqual(
      Object.fromEntries(Object.entries(EXPECTED).map(([op, roles]) => [op, TOKEN_ROLES.filter((r) => roles.split(' ').includes(r)).join(' ')])),
    );
  });

  it('covers every operation of the table', () => {
    expect(Object.keys(outcomes).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))('%s: allowed roles pass the gate, others get FORBIDDEN, bad tokens UNAUTHENTICATED', (operation) => {
    const allowed = EXPECTED[operation]!.split(' ');
    const seen = outcomes[operation]!;
    for (const role of TOKEN_ROLES) {
      // Allowed: anything but a refusal of who is asking (the domain may still refuse the act
      // with RULE_VIOLATION / NOT_FOUND, e.g. a customer escalating before the target).
      if (allowed.includes(role)) expect({ role, code: seen[role] }).toEqual({ role, code: expect.not.stringMatching(/^(FORBIDDEN|UNAUTHENTICATED|BAD_USER_INPUT|INTERNAL_SERVER_ERROR|SERVICE_UNAVAILABLE)$/) });
      else expect({ role, code: seen[role] }).toEqual({ role, code: 'FORBIDDEN' });
      // A subscription an allowed role starts must also deliver.
      if (operation in SUBSCRIPTIONS && allowed.includes(role)) expect({ role, code: seen[role] }).toEqual({ role, code: 'OK' });
    }
    for (const caller of ['no token', 'expired token', 'other key']) expect({ caller, code: seen[caller] }).toEqual({ caller, code: 'UNAUTHENTICATED' });
  });
});
