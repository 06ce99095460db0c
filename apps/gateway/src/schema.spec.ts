import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClientSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type IntrospectionQuery } from 'graphql';
import { startHarness, type Harness } from './testing/gateway-harness.js';

const SCHEMA_FILE = join(process.cwd(), 'apps/gateway/schema.graphql');
const HEADER = '# Generated from the code-first resolvers (sorted). Do not edit; after changing the API run\n# UPDATE_SCHEMA=1 node --experimental-vm-modules node_modules/jest/bin/jest.js apps/gateway/src/schema.spec.ts\n\n';

/** The contract named in API.md: these must exist with these names. */
const API_OPERATIONS = {
  Query: ['ticket', 'queue', 'slaBreaches', 'tierReport', 'ticketHistory', 'ticketAsOf', 'verifyTicketHistory', 'organization'],
  Mutation: [
    'registerOrganization', 'changeOrganizationTier', 'addContact', 'openTicket', 'changePriority', 'assignTicket', 'replyToTicket',
    'addInternalNote', 'awaitCustomer', 'escalateTicket', 'resolveTicket', 'reopenTicket', 'closeTicket',
  ],
};

describe('GraphQL schema', () => {
  let harness: Harness;
  let schema: string;
  beforeAll(async () => {
    harness = await startHarness();
    // The schema as served, through introspection (any role may introspect).
    const token = await harness.token({ sub: 'schema', role: 'agent' });
    const reply = await harness.gql<IntrospectionQuery>(token, getIntrospectionQuery());
    schema = printSchema(lexicographicSortSchema(buildClientSchema(reply.data!)));
  });
  afterAll(() => harness.close());

  it('matches the checked-in apps/gateway/schema.graphql', () => {
    const generated = HEADER + schema + '\n';
    if (process.env['UPDATE_SCHEMA'] === '1') writeFileSync(SCHEMA_FILE, generated);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(generated);
  });

  it('has every operation of API.md with its arguments', () => {
    for (const [type, fields] of Object.entries(API_OPERATIONS)) {
      const block = new RegExp(`type ${type} \\{([^}]*)\\}`).exec(schema)?.[1] ?? '';
      for (const field of fields) expect(block).toMatch(new RegExp(`\\n\\s+${field}\\(`));
    }
    for (const fragment of [
      'enum Priority {\n  CRITICAL\n  HIGH\n  LOW\n  MEDIUM\n}',
      'enum TicketStatus {\n  AWAITING_CUSTOMER\n  CLOSED\n  NEW\n  OPEN\n  RESOLVED\n}',
      'ticket(atLeastPosition: String, id: ID!): Ticket',
      'queue(after: String, atLeastPosition: String, filter: QueueFilter, first: Int): TicketConnection!',
      'slaBreaches(after: String, filter: BreachFilter, first: Int): SlaBreachConnection!',
      'tierReport(from: DateTime!, tier: String, to: DateTime!): [TierReportRow!]!',
      'ticketHistory(id: ID!): [TicketHistoryEntry!]!',
      'ticketAsOf(at: DateTime, id: ID!, revision: Int): Ticket',
      'verifyTicketHistory(id: ID!): HistoryVerification!',
      'organization(id: ID!): Organization',
      'openTicket(input: OpenTicketInput!): TicketResult!',
      'scalar JSON',
      'scalar DateTime',
    ]) {
      expect(schema).toContain(fragment);
    }
    expect(schema).toMatch(/type TicketResult \{[^}]*position: String![^}]*revision: Int![^}]*ticket: Ticket!/);
  });
});
