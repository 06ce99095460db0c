/**
 * Hostile input over real HTTP GraphQL: property-based fuzzing (fast-check) of every mutation
 * of API.md (organizations and contacts as admin, ticket commands as staff and customers, and
 * as callers who may not), and of the DateTime arguments of the read side; then hand-made
 * hostile bodies (malformed and hostile JSON, oversize bodies, depth bombs, batched floods,
 * wrong content types, JSON document ASTs).
 *
 * For every case: no 5xx, no stack trace or internal message in the body, every error with an
 * API.md code; and, checked on the event log itself after each batch, no event appended for
 * a refused request (each request carries its own correlation id, which every event stores).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startHarness, type Harness } from '../../apps/gateway/src/testing/gateway-harness.js';
import Database from 'better-sqlite3';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { API_CODES, bearer, compareWithCleanRebuild, leaks, post, report, type RawReply } from './reliability-kit.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261122);
const BATCH = 16;
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 630); // × BATCH = 10,080 fuzzed requests
const LIMITS = { title: 200, text: 20_000, reason: 2_000, name: 120, id: 64 };

type Kind = 'id' | 'ticket' | 'org' | 'contact' | 'text' | 'enum' | 'int' | 'email' | 'tier';
interface FieldSpec { kind: Kind; valid: fc.Arbitrary<unknown>; optional?: boolean; values?: readonly string[] }
interface MutationSpec { name: string; inputType: string; selection: string; fields: Record<string, FieldSpec>; roles: readonly Role[] }
type Role = 'admin' | 'agent' | 'supervisor' | 'customerA' | 'customerB' | 'distributor' | 'analyst' | 'auditor' | 'none' | 'forged';
/** A ticket id resolved when the case is sent (tickets opened by earlier cases join the pool). */
interface TicketRef { $ticket: number; org: 'A' | 'B' }
interface Case { op: 'mutation' | 'query'; name: string; role: Role; args: Record<string, unknown>; inline: boolean; extraVariables?: Record<string, unknown> }

const PRIORITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
const CHANNELS = ['WEB', 'EMAIL', 'CHAT', 'PHONE'] as const;
const TYPES = ['QUESTION', 'PROBLEM', 'SERVICE_REQUEST'] as const;
const TICKET_RESULT = '{ revision position ticket { id organizationId status } }';

// ---------------------------------------------------------------------------------------------
// Hostile values. (None of the fixed strings can look like a leak: no stack frames, no paths
// under /work, /home, /tmp, /usr or /app, no JS error class names.)

const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', '   \t\n ', '\u0000', 'a\u0000b', '\u0000'.repeat(100), '\u0001\u0002\u0003\u0007\u0008\u001b[31mred\u001b[0m', '\r\n\r\n', '\u007f\u0085\u009f',
  '\u202Eevil\u202C', '\u200F\u05E9\u05DC\u05D5\u05DD\u200E', 'مرحبا بالعالم', '\u061C\u2066\u2067\u2068\u2069',
  '\u200B', '\u200B\u200C\u200D\u2060\uFEFF', '\uFEFFtitle', '\u00AD', '\u034F',
  '\uD800', '\uDFFF', 'a\uD83Db', '\uDE00\uD83D', '\uD800\uD800\uDC00', '\uFFFE\uFFFF', '\u{10FFFF}', '\u{1F600}'.repeat(3),
  'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301', 'Z̸̡̢̛̗͓̪̹̩͔͓̰͉̦̃̓̈́̑̇̊͑͘ͅa̶͔̹̝̙̱̗̣͈̦͗̉̽͑l̴̢͔̲̝̲̗̖̫̱̋g̷̛̛̠̰̃̓̀͌̒̀o̶̡', 'ǅǈǋ', 'İıſK', 'ß', 'Ａｂｃ', '\u2028\u2029',
  "'; DROP TABLE events; --", '" OR 1=1 --', '{"$gt": ""}', '{"$where": "sleep(1000)"}', '$ne', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '{{7*7}}', '${7*7}', '#{7*7}', '%s%s%s%n', '%00', '..\\..\\windows\\win.ini',
  'NaN', 'Infinity', '-Infinity', '1e309', '-0', 'null', 'undefined', 'true', '[]', '{}', '0x1F', '١٢٣',
  '2026-13-45T25:61:00Z', '2026-02-30T00:00:00Z', '0000-00-00T00:00:00Z', '9999-12-31T23:59:60Z', '2026-11-22T10:00:00+25:00', '2026-11-22 10:00', '1700000000', '-271821-04-20T00:00:00Z', '+275760-09-13T00:00:01Z',
  'P1Y2M3DT4H5M6S', 'PT-1H', '-PT1H', 'P', 'PT', 'PT0S', 'P99999999999999Y', 'PT1.5.5S', 'PT1H30', 'P1W1D',
  'T-1', 'TD-AAAAAA', 'TD-', 'acme', 'beta', '.', '..', '-', '_', 'a'.repeat(LIMITS.id), 'a'.repeat(LIMITS.id + 1), 'a b', 'a/b', 'a\nb', 'ä', 'TD-ÄÄÄÄÄÄ',
  'x'.repeat(LIMITS.name + 1), 'x'.repeat(LIMITS.title + 1), 'y'.repeat(LIMITS.reason + 1), 'z'.repeat(LIMITS.text), 'z'.repeat(LIMITS.text + 1),
  '𝕏'.repeat(LIMITS.title), '🙂'.repeat(LIMITS.reason), 'w'.repeat(120_000),
  'user@example.com', 'not-an-email', '@', 'a@b', '"quoted"@example.com', 'user@[127.0.0.1]', 'user@exa mple.com',
];

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\u200B', '\u202E', '\uD800', '\uDC00', '\u0301', 'a', ' ', '\n'), maxLength: 30 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '🙂', '\u0000', 'ж'), fc.integer({ min: 100, max: 30_000 })).map(([c, n]) => c.repeat(n)) },
);

/** Arrays or objects nested `depth` deep (a JSON bomb in a variable). */
const nested = (depth: number, object: boolean): unknown => {
  let value: unknown = object ? { a: 1 } : [1];
  for (let i = 0; i < depth; i++) value = object ? { a: value } : [value];
  return value;
};

const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 2, 3, 4, 255, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 5e-324, 1.5, 2.0000001, 3.0, Number.MAX_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(hostileString, hostileNumber), { maxKeys: 3 }),
  // (deeper bombs are sent as raw bodies below: the client's own JSON.stringify recurses too)
  fc.tuple(fc.integer({ min: 1, max: 1_500 }), fc.boolean()).map(([depth, object]) => nested(depth, object)),
  fc.jsonValue({ maxDepth: 4 }),
);

const hostile: fc.Arbitrary<unknown> = fc.oneof({ weight: 3, arbitrary: hostileString }, { weight: 2, arbitrary: wrongType });

// ---------------------------------------------------------------------------------------------
// Valid-looking values per field kind, mixed with hostile ones.

const text = (max: number): fc.Arbitrary<string> => fc.string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(max, 80) }).filter((s) => s.trim().length > 0);
const ticketRef = (org: 'A' | 'B'): fc.Arbitrary<TicketRef> => fc.nat().map(($ticket) => ({ $ticket, org }));

const field = (kind: Kind, valid: fc.Arbitrary<unknown>, options: { optional?: boolean; values?: readonly string[] } = {}): FieldSpec => ({ kind, valid, ...options });

function arbitraryFor(spec: FieldSpec): fc.Arbitrary<unknown> {
  const byKind: Partial<Record<Kind, fc.Arbitrary<unknown>>> = {
    // Ids of the other organization, guessed ids, ids of the right shape that do not exist.
    ticket: fc.oneof(ticketRef('B'), fc.constantFrom('TD-ZZZZZZ', 'TD-000000', 'T-1', 'TD-AAAAAA'), fc.stringMatching(/^TD-[A-Z0-9]{6}$/)),
    org: fc.constantFrom('beta', 'acme', 'nope', 'ACME', 'acme '),
    contact: fc.constantFrom('bob', 'kim', 'dan', 'nobody', 'root'),
    enum: fc.constantFrom('high', 'Critical', 'URGENT', 'P1', 'WEB ', '', 'undefined', ...(spec.values ?? []).map((v) => v.toLowerCase())),
    int: hostileNumber,
    tier: fc.constantFrom('platinum', 'PRO', 'free', 'pro', 'enterprise', ''),
  };
  const alternatives: Array<{ weight: number; arbitrary: fc.Arbitrary<unknown> }> = [
    { weight: 5, arbitrary: spec.valid },
    { weight: 3, arbitrary: hostile },
  ];
  const special = byKind[spec.kind];
  if (special) alternatives.push({ weight: 2, arbitrary: special });
  return fc.oneof(...alternatives);
}

const UNKNOWN_KEYS = fc.oneof(fc.constantFrom('extra', 'ticketID', 'organizationID', 'actor', 'role', 'position', 'revision', 'constructor', 'toString', 'id'), fc.string({ maxLength: 12 }));

function inputArbitrary(spec: MutationSpec): fc.Arbitrary<unknown> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, fieldSpec] of Object.entries(spec.fields)) {
    // Sometimes a field is left out (required or not), sometimes it is null.
    shape[name] = fc.oneof(
      { weight: 12, arbitrary: arbitraryFor(fieldSpec) },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constant(null) },
    );
  }
  const record = fc.record(shape).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
  const withUnknown = fc.tuple(record, fc.dictionary(UNKNOWN_KEYS, hostile, { minKeys: 1, maxKeys: 3 })).map(([r, extra]) => ({ ...extra, ...r }));
  // Near misses: a valid input with at most one field made hostile (so the domain is reached).
  const validShape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, fieldSpec] of Object.entries(spec.fields)) validShape[name] = fieldSpec.optional ? fc.option(fieldSpec.valid, { nil: undefined }) : fieldSpec.valid;
  const names = Object.keys(spec.fields);
  const nearMiss = fc
    .tuple(fc.record(validShape), fc.option(fc.constantFrom(...names), { nil: undefined, freq: 3 }), fc.oneof(...Object.values(spec.fields).map(arbitraryFor)))
    .map(([r, name, value]) => Object.fromEntries(Object.entries(name === undefined ? r : { ...r, [name]: value }).filter(([, v]) => v !== undefined)));
  return fc.oneof({ weight: 8, arbitrary: nearMiss }, { weight: 8, arbitrary: record }, { weight: 3, arbitrary: withUnknown }, { weight: 1, arbitrary: hostile });
}

const STAFF_AND_OTHERS = fc.constantFrom<Role>(
  'agent', 'agent', 'agent', 'agent', 'supervisor', 'supervisor', 'customerA', 'customerA', 'customerA', 'customerB', 'distributor', 'analyst', 'auditor', 'admin', 'none', 'forged',
);
const ADMIN_AND_OTHERS = fc.constantFrom<Role>('admin', 'admin', 'admin', 'admin', 'admin', 'admin', 'agent', 'customerA', 'auditor', 'none', 'forged');

const MUTATIONS: readonly MutationSpec[] = [
  {
    name: 'registerOrganization', inputType: 'RegisterOrganizationInput', selection: '{ id tier revision }', roles: [],
    fields: {
      id: field('id', fc.oneof(fc.stringMatching(/^fz-[a-z0-9]{1,20}$/), fc.constant('acme')), { optional: true }),
      name: field('text', text(LIMITS.name)),
      tier: field('tier', fc.constantFrom('pro', 'enterprise', 'free')),
    },
  },
  {
    name: 'changeOrganizationTier', inputType: 'ChangeOrganizationTierInput', selection: '{ id tier revision }', roles: [],
    fields: { organizationId: field('org', fc.constantFrom('acme', 'beta')), tier: field('tier', fc.constantFrom('pro', 'enterprise')) },
  },
  {
    name: 'addContact', inputType: 'AddContactInput', selection: '{ id organizationId kind }', roles: [],
    fields: {
      organizationId: field('org', fc.constantFrom('acme', 'beta')),
      contactId: field('id', fc.stringMatching(/^fz-[a-z0-9]{1,20}$/), { optional: true }),
      name: field('text', text(LIMITS.name)),
      email: field('email', fc.emailAddress()),
      kind: field('enum', fc.constantFrom('STAFF', 'DISTRIBUTOR'), { values: ['STAFF', 'DISTRIBUTOR'] }),
    },
  },
  {
    name: 'openTicket', inputType: 'OpenTicketInput', selection: TICKET_RESULT, roles: [],
    fields: {
      organizationId: field('org', fc.constant('acme'), { optional: true }),
      contactId: field('contact', fc.constant('kim'), { optional: true }),
      channel: field('enum', fc.constantFrom(...CHANNELS), { values: CHANNELS }),
      type: field('enum', fc.constantFrom(...TYPES), { values: TYPES }),
      title: field('text', text(LIMITS.title)),
      description: field('text', text(LIMITS.text)),
      requestedPriority: field('enum', fc.constantFrom(...PRIORITIES), { optional: true, values: PRIORITIES }),
    },
  },
  {
    name: 'changePriority', inputType: 'ChangePriorityInput', selection: TICKET_RESULT, roles: [],
    fields: { ticketId: field('ticket', ticketRef('A')), priority: field('enum', fc.constantFrom(...PRIORITIES), { values: PRIORITIES }), reason: field('text', text(LIMITS.reason)) },
  },
  {
    name: 'assignTicket', inputType: 'AssignTicketInput', selection: TICKET_RESULT, roles: [],
    fields: { ticketId: field('ticket', ticketRef('A')), assigneeId: field('id', fc.constantFrom('alice', 'sam', 'a.b-c_d')), group: field('text', text(LIMITS.name)) },
  },
  ...(['replyToTicket', 'addInternalNote', 'awaitCustomer'] as const).map(
    (name): MutationSpec => ({
      name, inputType: 'TicketBodyInput', selection: TICKET_RESULT, roles: [],
      fields: { ticketId: field('ticket', ticketRef('A')), body: field('text', text(LIMITS.text)) },
    }),
  ),
  {
    name: 'escalateTicket', inputType: 'EscalateTicketInput', selection: TICKET_RESULT, roles: [],
    fields: { ticketId: field('ticket', ticketRef('A')), level: field('int', fc.integer({ min: 1, max: 3 })), reason: field('text', text(LIMITS.reason)) },
  },
  {
    name: 'resolveTicket', inputType: 'ResolveTicketInput', selection: TICKET_RESULT, roles: [],
    fields: { ticketId: field('ticket', ticketRef('A')), resolution: field('text', text(LIMITS.text)) },
  },
  {
    name: 'reopenTicket', inputType: 'ReopenTicketInput', selection: TICKET_RESULT, roles: [],
    fields: { ticketId: field('ticket', ticketRef('A')), reason: field('text', text(LIMITS.reason)) },
  },
  {
    name: 'closeTicket', inputType: 'CloseTicketInput', selection: TICKET_RESULT, roles: [],
    fields: { ticketId: field('ticket', ticketRef('A')) },
  },
];
const ORG_MUTATIONS = new Set(['registerOrganization', 'changeOrganizationTier', 'addContact']);
const SPEC = new Map(MUTATIONS.map((m) => [m.name, m]));

// Built once per mutation (building arbitraries inside a chain cost ~40 ms per case).
const mutationCase: fc.Arbitrary<Case> = fc.oneof(...MUTATIONS.map((spec) =>
  fc.record({
    op: fc.constant('mutation' as const),
    name: fc.constant(spec.name),
    role: ORG_MUTATIONS.has(spec.name) ? ADMIN_AND_OTHERS : STAFF_AND_OTHERS,
    args: inputArbitrary(spec).map((input) => ({ input })),
    // Sometimes the input is written into the document instead of sent as a variable.
    inline: fc.boolean().map((b) => b && Math.random() < 0.3),
    extraVariables: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), hostile, { maxKeys: 3 }), { nil: undefined, freq: 10 }),
  }),
));

/** Dates as the DateTime scalar sees them: valid, invalid, wrong types. */
const dateValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  hostileString,
  wrongType,
  fc.constantFrom('2026-11-22', '2026-11-22T10:00:00', '2026-11-22T10:00:00.123456789Z', '2026-11-22T10:00:00-00:00', '+002026-11-22T10:00:00Z'),
);
const queryCase: fc.Arbitrary<Case> = fc.oneof(
  fc.record({ op: fc.constant('query' as const), name: fc.constant('tierReport'), role: fc.constantFrom<Role>('analyst', 'analyst', 'customerA', 'none'), args: fc.record({ from: dateValue, to: dateValue, tier: fc.option(hostile, { nil: undefined }) }), inline: fc.constant(false) }),
  fc.record({ op: fc.constant('query' as const), name: fc.constant('ticketAsOf'), role: fc.constantFrom<Role>('auditor', 'supervisor', 'customerA'), args: fc.record({ id: fc.oneof(ticketRef('A'), ticketRef('B'), hostile), at: fc.option(dateValue, { nil: undefined }), revision: fc.option(fc.oneof(hostileNumber, hostile), { nil: undefined }) }), inline: fc.constant(false) }),
  fc.record({ op: fc.constant('query' as const), name: fc.constant('slaBreaches'), role: fc.constantFrom<Role>('supervisor', 'analyst', 'customerA'), args: fc.record({ filter: fc.record({ from: dateValue, to: dateValue }, { requiredKeys: [] }), first: fc.option(hostileNumber, { nil: undefined }) }), inline: fc.constant(false) }),
);
const QUERY_DOCS: Record<string, string> = {
  tierReport: 'query($from: DateTime!, $to: DateTime!, $tier: String) { tierReport(from: $from, to: $to, tier: $tier) { tier priority opened } }',
  ticketAsOf: 'query($id: ID!, $at: DateTime, $revision: Int) { ticketAsOf(id: $id, at: $at, revision: $revision) { id status revision } }',
  slaBreaches: 'query($filter: BreachFilter, $first: Int) { slaBreaches(filter: $filter, first: $first) { totalCount } }',
};

const anyCase: fc.Arbitrary<Case> = fc.oneof({ weight: 9, arbitrary: mutationCase }, { weight: 1, arbitrary: queryCase });

// ---------------------------------------------------------------------------------------------

/** A JS value as a GraphQL literal (enum-valued top-level fields as bare names). */
function literal(value: unknown, enumFields: ReadonlySet<string> = new Set(), key?: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return key !== undefined && enumFields.has(key) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : JSON.stringify(k)}: ${literal(v, enumFields, k)}`);
  return `{ ${entries.join(', ')} }`;
}

/** A case for a failure message: long strings cut, deep values cut (they may be 5,000 deep). */
const short = (value: unknown, depth = 0): string => {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…(${value.length})` : value);
  else if (value === null || typeof value !== 'object') text = String(value);
  else if (depth > 6) text = Array.isArray(value) ? '[…]' : '{…}';
  else if (Array.isArray(value)) text = `[${value.slice(0, 10).map((v) => short(v, depth + 1)).join(',')}${value.length > 10 ? `,…(${value.length})` : ''}]`;
  else text = `{${Object.entries(value).slice(0, 12).map(([k, v]) => `${JSON.stringify(k)}:${short(v, depth + 1)}`).join(',')}}`;
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
};

/**
 * One HTTP request on its own connection. Unlike fetch, it keeps the answer when the server
 * answers (413) and closes before the whole body was written (the client then sees EPIPE).
 */
function rawRequest(url: string, method: string, headers: Record<string, string>, body?: string | Uint8Array): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(url, { agent: false, method, headers: { ...headers, ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }), connection: 'close' } }, (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    // The server may answer and close while the body is still being written: then the client
    // sees EPIPE / ECONNRESET, sometimes before it could read the answer (status 0 here).
    request.on('error', (error) => {
      if (!answered) setTimeout(() => (answered ? undefined : /EPIPE|ECONNRESET/.test(String(error)) ? resolve({ status: 0, text: '' }) : reject(error)), 500);
    });
    if (body !== undefined) request.write(body);
    request.end();
  });
}

describe('hostile input over HTTP GraphQL', () => {
  let harness: Harness;
  let tokens: Record<Role, string | null>;
  const ticketsOf: Record<'A' | 'B', string[]> = { A: [], B: [] };
  let log: Database.Database;
  let readAfter: Database.Statement;
  let headStatement: Database.Statement;
  const figures = { fuzzCases: 0, fuzzAccepted: 0, fuzzRefused: 0, eventsAppended: 0, eventsChecked: 0, statuses: {} as Record<string, number>, codes: {} as Record<string, number>, hostileBodies: 0 };

  const head = (): number => headStatement.get() as number;

  beforeAll(async () => {
    harness = await startHarness({ RATE_LIMIT_MAX: '10000000' });
    const t = (claims: Parameters<Harness['token']>[0]): Promise<string> => harness.token(claims);
    tokens = {
      admin: await t({ sub: 'root', role: 'admin' }),
      agent: await t({ sub: 'alice', role: 'agent' }),
      supervisor: await t({ sub: 'sam', role: 'supervisor' }),
      customerA: await t({ sub: 'kim', role: 'customer', org: 'acme' }),
      customerB: await t({ sub: 'bob', role: 'customer', org: 'beta' }),
      distributor: await t({ sub: 'dan', role: 'customer', org: 'acme' }),
      analyst: await t({ sub: 'ann', role: 'analyst' }),
      auditor: await t({ sub: 'audrey', role: 'auditor' }),
      none: null,
      // Signed with another key: must be UNAUTHENTICATED, never served.
      forged: `${(await t({ sub: 'alice', role: 'agent' })).split('.').slice(0, 2).join('.')}.c2lnbmF0dXJlLWZyb20tYW5vdGhlci1rZXk`,
    };
    const setup = async (token: string, query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const reply = await harness.gql(token, query, variables);
      expect(reply.errors).toEqual([]);
      return reply.data!;
    };
    for (const [id, tier] of [['acme', 'enterprise'], ['beta', 'pro']]) {
      await setup(tokens.admin!, 'mutation($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }', { input: { id, name: id, tier } });
    }
    for (const [organizationId, contactId, kind] of [['acme', 'kim', 'STAFF'], ['acme', 'dan', 'DISTRIBUTOR'], ['beta', 'bob', 'STAFF']]) {
      await setup(tokens.admin!, 'mutation($input: AddContactInput!) { addContact(input: $input) { id } }', { input: { organizationId, contactId, name: contactId, email: `${contactId}@example.com`, kind } });
    }
    for (const [org, organizationId, contactId] of [['A', 'acme', 'kim'], ['B', 'beta', 'bob']] as const) {
      for (let i = 0; i < 4; i++) {
        const data = await setup(tokens.agent!, `mutation($input: OpenTicketInput!) { openTicket(input: $input) ${TICKET_RESULT} }`, {
          input: { organizationId, contactId, channel: 'EMAIL', type: 'QUESTION', title: `Fixture ${i}`, description: 'Fuzz target' },
        });
        ticketsOf[org].push((data['openTicket'] as { ticket: { id: string } }).ticket.id);
      }
    }
    log = new Database(join(harness.dataDir, 'events.db'), { readonly: true, fileMustExist: true });
    headStatement = log.prepare('SELECT coalesce(max(position), 0) FROM events').pluck();
    readAfter = log.prepare("SELECT position, json_extract(metadata, '$.correlationId') AS correlationId, json_extract(metadata, '$.actorRole') AS role FROM events WHERE position > ? ORDER BY position");
  }, 60_000);

  afterAll(async () => {
    log?.close();
    await harness?.close();
  });

  /** Every reply: no 5xx, JSON, each error with an API.md code, nothing internal in it. */
  function checkReply(reply: RawReply, what: string): string | null {
    figures.statuses[reply.status] = (figures.statuses[reply.status] ?? 0) + 1;
    if (reply.status >= 500 || reply.status < 200) return `HTTP ${reply.status} for ${what}: ${reply.text.slice(0, 400)}`;
    const leak = leaks(reply.text);
    if (leak) return `internal detail in the answer to ${what}: ${leak}`;
    if (!reply.body || typeof reply.body !== 'object') return `not a JSON object for ${what}: ${reply.text.slice(0, 300)}`;
    for (const error of reply.body.errors ?? []) {
      const code = error.extensions?.code ?? 'NO_CODE';
      figures.codes[code] = (figures.codes[code] ?? 0) + 1;
      if (!(API_CODES as readonly string[]).includes(code)) return `code ${code} for ${what}: ${reply.text.slice(0, 400)}`;
      if (typeof error.message !== 'string' || error.message.length === 0) return `an error without a message for ${what}`;
    }
    return null;
  }

  const resolveRefs = (value: unknown, depth = 0): unknown => {
    if (depth > 8) return value; // references sit in the input's fields, never deeper
    if (Array.isArray(value)) return value.map((v) => resolveRefs(v, depth + 1));
    if (value && typeof value === 'object') {
      const ref = value as Partial<TicketRef>;
      if (typeof ref.$ticket === 'number' && (ref.org === 'A' || ref.org === 'B') && Object.keys(value).length === 2) {
        const pool = ticketsOf[ref.org];
        return pool[ref.$ticket % pool.length];
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, depth + 1)]));
    }
    return value;
  };

  async function send(testCase: Case, correlationId: string): Promise<{ reply: RawReply; accepted: boolean; document: string; variables: Record<string, unknown> }> {
    const args = resolveRefs(testCase.args) as Record<string, unknown>;
    let document: string;
    let variables: Record<string, unknown>;
    if (testCase.op === 'query') {
      document = QUERY_DOCS[testCase.name]!;
      variables = args;
    } else {
      const spec = SPEC.get(testCase.name)!;
      const enums = new Set(Object.entries(spec.fields).filter(([, f]) => f.kind === 'enum').map(([k]) => k));
      if (testCase.inline) {
        document = `mutation { ${spec.name}(input: ${literal(args['input'], enums)}) ${spec.selection} }`;
        variables = {};
      } else {
        document = `mutation($input: ${spec.inputType}!) { ${spec.name}(input: $input) ${spec.selection} }`;
        variables = args;
      }
    }
    variables = { ...testCase.extraVariables, ...variables };
    const token = tokens[testCase.role];
    const reply = await post(harness.graphqlUrl, { query: document, variables }, { ...(token && bearer(token)), 'x-correlation-id': correlationId });
    const result = reply.body?.data?.[testCase.name];
    // A query may answer null (a missing ticket); a mutation answers its result or an error.
    const accepted = reply.status === 200 && result !== undefined && (result !== null || testCase.op === 'query') && !(reply.body?.errors?.length);
    return { reply, accepted, document, variables };
  }

  it(`survives ${RUNS * BATCH} fuzzed mutation and date inputs (fast-check, seed ${SEED}): no 5xx, no internals, coded refusals, nothing appended when refused`, async () => {
    const started = Date.now();
    let batchNo = 0;
    const slow: Array<{ ms: number; what: string }> = [];
    let lastEnd = Date.now();
    const outcome = await fc.check(
      fc.asyncProperty(fc.array(anyCase, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const n = batchNo++;
        const tBatch = Date.now();
        if (process.env['FUZZ_SLOW']) slow.push({ ms: tBatch - lastEnd, what: `gap before batch ${n}` });
        const before = head();
        const sent = await Promise.all(
          batch.map(async (testCase, i) => {
            const correlationId = `fz-${n}-${i}`;
            try {
              const t0 = Date.now();
              const result = { testCase, correlationId, ...(await send(testCase, correlationId)) };
              const ms = Date.now() - t0;
              if (process.env['FUZZ_SLOW']) slow.push({ ms, what: `${testCase.name} as ${testCase.role} ${result.accepted ? 'accepted' : result.reply.text.slice(0, 150)} ${short(result.variables).slice(0, 200)}` });
              return result;
            } catch (error) {
              throw new Error(`request failed (${String(error)}) for ${testCase.name} as ${testCase.role}: ${short(testCase.args)}`);
            }
          }),
        );
        if (process.env['FUZZ_SLOW']) slow.push({ ms: Date.now() - tBatch, what: `batch ${n} send phase` });
        const tCheck = Date.now();
        for (const s of sent) {
          figures.fuzzCases++;
          if (s.accepted) figures.fuzzAccepted++;
          else figures.fuzzRefused++;
          const problem = checkReply(s.reply, `${s.testCase.name} as ${s.testCase.role} with ${short(s.variables)}${s.testCase.inline ? ` inline: ${short(s.document)}` : ''}`);
          if (problem) throw new Error(problem);
          if (!s.accepted && !s.reply.body?.errors?.length) throw new Error(`refused without an error: ${s.reply.text.slice(0, 300)}`);
          // Tickets opened by the fuzz join the pool of targets.
          if (s.accepted && s.testCase.name === 'openTicket') {
            const ticket = (s.reply.body!.data!['openTicket'] as { ticket: { id: string; organizationId: string } }).ticket;
            ticketsOf[ticket.organizationId === 'beta' ? 'B' : 'A'].push(ticket.id);
          }
        }
        // The log: every event written during the batch (but the SLA watcher's own) belongs to an
        // accepted request of the batch; a refused request or a query wrote nothing.
        const events = readAfter.all(before) as Array<{ position: number; correlationId: string | null; role: string | null }>;
        figures.eventsChecked += events.length;
        const accepted = new Set(sent.filter((s) => s.accepted && s.testCase.op === 'mutation').map((s) => s.correlationId));
        for (const event of events) {
          if (event.role === 'system') continue;
          figures.eventsAppended++;
          if (!event.correlationId || !accepted.has(event.correlationId)) {
            const culprit = sent.find((s) => s.correlationId === event.correlationId);
            throw new Error(
              `event at ${event.position} (correlation ${event.correlationId}) not from an accepted request` +
                (culprit ? `: ${culprit.testCase.name} as ${culprit.testCase.role} with ${short(culprit.variables)} → ${culprit.reply.text.slice(0, 300)}` : ''),
            );
          }
        }
        if (process.env['FUZZ_SLOW']) slow.push({ ms: Date.now() - tCheck, what: `batch ${n} check phase` });
        lastEnd = Date.now();
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    if (process.env['FUZZ_SLOW']) process.stdout.write(`${slow.sort((a, b) => b.ms - a.ms).slice(0, 15).map((x) => `${x.ms}ms ${x.what}`).join('\n')}\n${JSON.stringify(figures)}\n`);
    // The property's own message names the case (fast-check's counterexample can be megabytes).
    if (outcome.failed) throw new Error(`fuzz case failed (seed ${SEED}, batch ${batchNo - 1}): ${outcome.errorInstance instanceof Error ? outcome.errorInstance.message : String(outcome.errorInstance)}`);
    expect(figures.fuzzCases).toBeGreaterThanOrEqual(10_000);
    // Both ways happened a good deal: the fuzz is neither all-refused nor all-accepted.
    expect(figures.fuzzAccepted).toBeGreaterThan(500);
    expect(figures.fuzzRefused).toBeGreaterThan(5_000);
    expect(figures.eventsAppended).toBeGreaterThan(0);
    (figures as Record<string, unknown>)['fuzzSeconds'] = +((Date.now() - started) / 1000).toFixed(1);
  }, 150_000);

  it('refuses hostile bodies with a code: malformed JSON, bombs, oversize, depth bombs, batches, wrong content types', async () => {
    const url = harness.graphqlUrl;
    const auth = bearer(tokens.agent!);
    const openInput = { organizationId: 'acme', contactId: 'kim', channel: 'WEB', type: 'QUESTION', title: 'Batched', description: 'Should never be written' };
    const openDoc = `mutation($input: OpenTicketInput!) { openTicket(input: $input) ${TICKET_RESULT} }`;
    const valid = JSON.stringify({ query: openDoc, variables: { input: openInput } });
    const nestBraces = (n: number): string => `{ queue ${'{ edges '.repeat(n)}${'}'.repeat(n + 1)}`;
    const harmless = JSON.stringify({ query: '{ queue { totalCount } }' });
    /** `mayRun`: well-formed enough to be served (they carry a harmless query, never a mutation). */
    /** `mayReset`: so large the server closes while the client still writes (then no answer can be read). */
    type Hostile = { name: string; body: string | Uint8Array; contentType?: string | null; method?: string; path?: string; expect?: number; mayRun?: boolean; mayReset?: boolean };
    const cases: Hostile[] = [
      // Malformed JSON
      { name: 'truncated JSON', body: valid.slice(0, valid.length - 7) },
      { name: 'trailing comma', body: '{"query": "{ queue { totalCount } }",}' },
      { name: 'single quotes', body: "{'query': '{ queue { totalCount } }'}" },
      { name: 'NaN literal', body: '{"query": "{ queue { totalCount } }", "variables": {"x": NaN}}' },
      { name: 'comments', body: '/* hi */ {"query": "{ queue { totalCount } }"}' },
      { name: 'BOM', body: `\uFEFF${harmless}`, mayRun: true },
      { name: 'UTF-16 body', body: new Uint8Array(Buffer.from(valid, 'utf16le')) },
      { name: 'invalid UTF-8', body: new Uint8Array([0x7b, 0x22, 0x71, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x3a, 0x31, 0x7d]) },
      { name: 'raw NUL bytes', body: new Uint8Array([0x7b, 0x00, 0x00, 0x7d]) },
      { name: 'empty body', body: '' },
      { name: 'JSON null', body: 'null' },
      { name: 'JSON string', body: '"mutation { closeTicket(input: { ticketId: \\"x\\" }) { revision } }"' },
      { name: 'JSON number', body: '12345678901234567890' },
      { name: '__proto__ pollution', body: `{"query": ${JSON.stringify(openDoc)}, "variables": {"input": ${JSON.stringify(openInput)}}, "__proto__": {"admin": true}}` },
      { name: 'constructor pollution', body: `{"query": "{ queue { totalCount } }", "constructor": {"prototype": {"role": "admin"}}}` },
      { name: 'duplicate keys', body: `{"query": ${JSON.stringify(openDoc)}, "query": "{ queue { totalCount } }", "variables": {"input": {"title": "a", "title": 5}}}`, mayRun: true },
      { name: 'query as a number', body: '{"query": 1}' },
      { name: 'query as a boolean', body: '{"query": true}' },
      { name: 'query as an object', body: '{"query": {"kind": "Document", "definitions": []}}' },
      { name: 'variables as a string', body: '{"query": "{ queue { totalCount } }", "variables": "{}"}' },
      { name: 'operationName as an object', body: '{"query": "{ queue { totalCount } }", "operationName": {"a": 1}}' },
      { name: 'operationName not in the document', mayRun: true, body: JSON.stringify({ query: '{ queue { totalCount } }', operationName: 'Nope' }) },
      // A JSON document AST where GraphQL text belongs (Mercurius would execute it unchecked).
      { name: 'JSON AST query', body: JSON.stringify({ query: JSON.stringify({ kind: 'Document', definitions: [{}] }) }) },
      { name: 'JSON AST query after whitespace', body: JSON.stringify({ query: ` \r\n\t${JSON.stringify({ kind: 'Document', definitions: [{}] }, null, 2)}` }) },
      {
        name: 'JSON AST mutation',
        body: JSON.stringify({
          query: JSON.stringify({ kind: 'Document', definitions: [{ kind: 'OperationDefinition', operation: 'mutation', selectionSet: { kind: 'SelectionSet', selections: [{ kind: 'Field', name: { kind: 'Name', value: 'closeTicket' }, arguments: [{ kind: 'Argument', name: { kind: 'Name', value: 'input' }, value: { kind: 'ObjectValue', fields: [{ kind: 'ObjectField', name: { kind: 'Name', value: 'ticketId' }, value: { kind: 'StringValue', value: 'TD-AAAAAA' } }] } }], selectionSet: { kind: 'SelectionSet', selections: [{ kind: 'Field', name: { kind: 'Name', value: 'revision' } }] } }] } }] }),
        }),
      },
      // JSON bombs within the body limit
      { name: 'nested arrays ×100k in variables', mayRun: true, body: `{"query": "{ queue { totalCount } }", "variables": {"x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}` },
      { name: 'nested objects ×40k in variables', mayRun: true, body: `{"query": "{ queue { totalCount } }", "variables": {"x": ${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}}}` },
      { name: 'nested arrays ×100k as the input', body: `{"query": ${JSON.stringify(openDoc)}, "variables": {"input": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}` },
      { name: 'nested objects ×40k as the input', body: `{"query": ${JSON.stringify(openDoc)}, "variables": {"input": ${'{"title":'.repeat(25_000)}1${'}'.repeat(25_000)}}}` },
      { name: '50k-element array in a field', body: JSON.stringify({ query: openDoc, variables: { input: { ...openInput, title: Array.from({ length: 50_000 }, () => 1) } } }) },
      // Oversize: 413 with a clear message
      { name: 'body just over the limit', body: JSON.stringify({ query: '{ queue { totalCount } }', variables: { x: 'y'.repeat(262_144) } }), expect: 413 },
      { name: 'body of 8 MB', body: JSON.stringify({ query: openDoc, variables: { input: { ...openInput, description: 'd'.repeat(8_000_000) } } }), expect: 413, mayReset: true },
      { name: '300k title', body: JSON.stringify({ query: openDoc, variables: { input: { ...openInput, title: 't'.repeat(300_000) } } }), expect: 413 },
      // Query bombs
      { name: 'selection depth ×20k', body: JSON.stringify({ query: nestBraces(20_000) }) },
      { name: 'selection depth ×2k', body: JSON.stringify({ query: nestBraces(2_000) }) },
      { name: 'selection depth 20', body: JSON.stringify({ query: nestBraces(20) }) },
      { name: 'list value depth ×50k', body: JSON.stringify({ query: `{ queue(filter: { status: ${'['.repeat(50_000)}${']'.repeat(50_000)} }) { totalCount } }` }) },
      { name: 'object value depth ×30k', body: JSON.stringify({ query: `mutation { openTicket(input: ${'{ title: '.repeat(30_000)}1${'}'.repeat(30_000)}) { revision } }` }) },
      { name: 'alias flood ×12k', mayRun: true, body: JSON.stringify({ query: `{ ${Array.from({ length: 12_000 }, (_, i) => `a${i}: __typename`).join(' ')} }` }) },
      { name: 'same field ×12k', mayRun: true, body: JSON.stringify({ query: `{ ${'queue { totalCount } '.repeat(12_000)} }` }) },
      { name: 'mutation alias flood ×2k', body: JSON.stringify({ query: `mutation($input: OpenTicketInput!) { ${Array.from({ length: 2_000 }, (_, i) => `m${i}: openTicket(input: $input) { revision }`).join(' ')} }`, variables: { input: openInput } }) },
      { name: 'directive flood ×10k', body: JSON.stringify({ query: `{ queue { totalCount ${'@skip(if: false) '.repeat(10_000)}} }` }) },
      { name: 'fragment cycle', body: JSON.stringify({ query: '{ queue { ...A } } fragment A on TicketConnection { ...B } fragment B on TicketConnection { ...A }' }) },
      { name: 'fragment fan-out 2^30', body: JSON.stringify({ query: `{ queue { ...F0 } } ${Array.from({ length: 30 }, (_, i) => `fragment F${i} on TicketConnection { totalCount ${i < 29 ? `...F${i + 1} ...F${i + 1}` : ''} }`).join(' ')}` }) },
      { name: '5k operations', body: JSON.stringify({ query: Array.from({ length: 5_000 }, (_, i) => `query q${i} { queue { totalCount } }`).join(' '), operationName: 'q1' }) },
      { name: '15k unused variables', mayRun: true, body: JSON.stringify({ query: '{ queue { totalCount } }', variables: Object.fromEntries(Array.from({ length: 15_000 }, (_, i) => [`v${i}`, i])) }) },
      { name: 'huge string variable (200k)', body: JSON.stringify({ query: openDoc, variables: { input: { ...openInput, description: '\u0000'.repeat(40_000) } } }) },
      { name: 'lone surrogate and NUL in the document', body: JSON.stringify({ query: '{ queue { totalCount \uD800 \u0000 } }' }) },
      { name: 'unterminated string', body: JSON.stringify({ query: '{ ticket(id: "abc) { id } }' }) },
      { name: 'invalid unicode escape', body: JSON.stringify({ query: '{ ticket(id: "\\uD800") { id } }' }) },
      { name: 'block string bomb', mayRun: true, body: JSON.stringify({ query: `{ ticket(id: """${'\\"""'.repeat(30_000)}""") { id } }` }) },
      { name: 'subscription over HTTP', body: JSON.stringify({ query: 'subscription { queueChanged { id } }' }) },
      { name: 'introspection depth bomb', body: JSON.stringify({ query: `{ __schema { types { ${'fields { type { '.repeat(40)}name${' } }'.repeat(40)} } } }` }) },
      // Batched-query floods (array bodies): batching is off, nothing of it may run
      { name: 'batch of 2 mutations', body: JSON.stringify([JSON.parse(valid), JSON.parse(valid)]) },
      { name: 'batch of 1000 mutations', body: JSON.stringify(Array.from({ length: 1_000 }, () => JSON.parse(valid))) },
      { name: 'batch of 5000 queries', body: JSON.stringify(Array.from({ length: 5_000 }, () => ({ query: '{ queue { totalCount } }' }))) },
      { name: 'empty batch', body: '[]' },
      // Wrong content types
      { name: 'text/plain', body: valid, contentType: 'text/plain' },
      { name: 'application/xml', body: '<query>{ queue { totalCount } }</query>', contentType: 'application/xml' },
      { name: 'form-urlencoded', body: `query=${encodeURIComponent(openDoc)}&variables=${encodeURIComponent(JSON.stringify({ input: openInput }))}`, contentType: 'application/x-www-form-urlencoded' },
      { name: 'form-urlencoded JSON AST', body: 'query=1', contentType: 'application/x-www-form-urlencoded' },
      { name: 'multipart', body: '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ queue { totalCount } }\r\n--x--\r\n', contentType: 'multipart/form-data; boundary=x' },
      { name: 'no content type', body: valid, contentType: null },
      { name: 'json with charset latin1', body: harmless, contentType: 'application/json; charset=latin1', mayRun: true },
      { name: 'content type with a huge parameter', body: harmless, contentType: `application/json; x=${'a'.repeat(8_000)}`, mayRun: true },
      { name: 'application/graphql with a mutation', body: 'mutation { closeTicket(input: { ticketId: "TD-AAAAAA" }) { revision } }', contentType: 'application/graphql' },
      { name: 'application/graphql bomb', body: nestBraces(20_000), contentType: 'application/graphql' },
      // GET: no mutations, and the same limits
      { name: 'GET mutation', body: '', method: 'GET', path: `?query=${encodeURIComponent(openDoc)}&variables=${encodeURIComponent(JSON.stringify({ input: openInput }))}` },
      { name: 'GET bad variables', body: '', method: 'GET', path: `?query=${encodeURIComponent('{ queue { totalCount } }')}&variables=%7Bbad` },
      { name: 'GET depth bomb', body: '', method: 'GET', path: `?query=${encodeURIComponent(nestBraces(600))}` },
      // Refused by Node's HTTP parser before GraphQL: a plain 431, no GraphQL body.
      { name: 'GET URL over the header limit', body: '', method: 'GET', path: `?query=${encodeURIComponent(nestBraces(5_000))}`, expect: 431 },
      { name: 'GET JSON AST', body: '', method: 'GET', path: `?query=${encodeURIComponent('{"kind":"Document","definitions":[{}]}')}` },
      { name: 'GET repeated query parameter', body: '', method: 'GET', path: '?query=%7B%20queue%20%7B%20totalCount%20%7D%20%7D&query=x', mayRun: true },
    ];
    const before = head();
    const slowest = { name: '', ms: 0 };
    const outcomes: Record<string, string> = {};
    const problems: string[] = [];
    for (const c of cases) {
      const t0 = Date.now();
      const response = await rawRequest(`${url}${c.path ?? ''}`, c.method ?? 'POST', {
        ...auth,
        ...(c.contentType === null ? {} : { 'content-type': c.contentType ?? 'application/json' }),
        'x-correlation-id': `hb-${figures.hostileBodies}`,
      }, c.method === 'GET' ? undefined : c.body);
      const text = response.text;
      const ms = Date.now() - t0;
      if (response.status === 0) {
        figures.hostileBodies++;
        outcomes[c.name] = `connection closed by the server while sending, ${ms}ms`;
        if (!c.mayReset) problems.push(`${c.name}: no answer (connection reset)`);
        continue;
      }
      if (ms > slowest.ms) Object.assign(slowest, { name: c.name, ms });
      let body: RawReply['body'];
      try {
        body = JSON.parse(text) as RawReply['body'];
      } catch {
        body = undefined;
      }
      figures.hostileBodies++;
      const problem = checkReply({ status: response.status, text, body }, c.name);
      if (problem) problems.push(problem);
      outcomes[c.name] = `${response.status} ${(body?.errors ?? []).map((e) => e.extensions?.code).join(',') || 'ok'} ${ms}ms`;
      // Apart from the few marked, none of these is a well-formed request: refused, with a reason.
      if (c.expect === 431) {
        if (response.status !== 431) problems.push(`${c.name}: expected 431, got ${response.status}`);
        continue;
      }
      if (!c.mayRun && !body?.errors?.length) problems.push(`${c.name}: not refused (${response.status} ${text.slice(0, 200)})`);
      if (c.expect && (response.status !== c.expect || !/too large/i.test(body?.errors?.[0]?.message ?? ''))) {
        problems.push(`${c.name}: expected ${c.expect} with a clear message, got ${response.status} ${text.slice(0, 200)}`);
      }
      if (ms > 10_000) problems.push(`${c.name}: took ${ms} ms`);
    }
    expect(problems).toEqual([]);
    // Not one of them (batches of valid mutations included) wrote anything.
    expect(readAfter.all(before).filter((e) => (e as { role: string }).role !== 'system')).toEqual([]);
    const health = await fetch(`${harness.url}/health`);
    expect(health.status).toBe(200);
    (figures as Record<string, unknown>)['slowestHostileBody'] = slowest;
    process.stdout.write(`hostile bodies: ${JSON.stringify(outcomes, null, 1)}\n`);
  }, 60_000);

  it('leaves a log whose every ticket history verifies, and read models equal to a clean rebuild', async () => {
    const supervisor = tokens.supervisor!;
    const streams = log.prepare("SELECT DISTINCT stream_id FROM events WHERE stream_id LIKE 'ticket-%'").pluck().all() as string[];
    expect(streams.length).toBeGreaterThan(8);
    const logHead = head();
    const ids = [...ticketsOf.A, ...ticketsOf.B];
    expect(ids.length).toBe(streams.length);
    for (const id of ids) {
      const reply = await harness.gql<{ verifyTicketHistory: { ok: boolean; checkedEvents: number } }>(supervisor, 'query($id: ID!) { verifyTicketHistory(id: $id) { ok checkedEvents firstBadRevision problem } }', { id });
      expect(reply.errors).toEqual([]);
      expect({ id, ...reply.data!.verifyTicketHistory }).toMatchObject({ id, ok: true });
    }
    for (let tries = 0; ; tries++) {
      const caughtUp = await harness.gql(supervisor, 'query($at: String) { queue(atLeastPosition: $at, first: 1) { totalCount } }', { at: String(logHead) });
      if (caughtUp.errors.length === 0) break;
      expect(caughtUp.errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
      if (tries >= 5) throw new Error(`the projections did not reach ${logHead}`);
    }
    log.close();
    expect(await harness.stop()).toBe(0);
    const { actual, expected, head: finalHead, checkpoints } = await compareWithCleanRebuild(harness.dataDir);
    expect(checkpoints).toEqual(checkpoints.map(() => finalHead));
    expect(actual).toEqual(expected);
    report('hostile-input', { seed: SEED, ...figures, tickets: ids.length, logHead: Number(finalHead), appendedForRefused: 0 });
  }, 60_000);
});
