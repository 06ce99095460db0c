import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../testing/gateway-harness.js';
import { cacheableOperation, MAX_CACHEABLE_QUERY_CHARS, ResponseCache } from './response-cache.js';

describe('ResponseCache', () => {
  const body = (query: string, variables?: unknown, operationName?: unknown): unknown => ({ query, variables, operationName });

  it('takes queries of queue and slaBreaches only, whole operations, no root fragments', () => {
    const fields = (query: string, name = ''): readonly string[] | null => cacheableOperation(query, name)?.rootFields ?? null;
    expect(cacheableOperation('{ queue { totalCount } }', '')).toEqual({ name: undefined, rootFields: ['queue'] });
    expect(cacheableOperation('query Q { __typename a: queue { totalCount } slaBreaches { totalCount } }', '')).toEqual({
      name: 'Q',
      rootFields: ['__typename', 'queue', 'slaBreaches'],
    });
    expect(fields('{ queue { totalCount } ticket(id: "t") { id } }')).toBeNull();
    expect(fields('{ tierReport(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { tier } }')).toBeNull();
    expect(fields('mutation { queue { totalCount } }')).toBeNull();
    expect(fields('subscription { queueChanged { id } }')).toBeNull();
    expect(fields('{ ...F } fragment F on Query { queue { totalCount } }')).toBeNull();
    expect(fields('{ __typename }')).toBeNull();
    expect(fields('{ queue { ')).toBeNull();
    // Several operations: the named one decides; without a name the request is ambiguous.
    const two = 'query A { queue { totalCount } } mutation B { closeTicket(input: { ticketId: "t" }) { revision } }';
    expect(fields(two, 'A')).toEqual(['queue']);
    expect(fields(two, 'B')).toBeNull();
    expect(fields(two, '')).toBeNull();
    expect(fields(two, 'C')).toBeNull();
  });

  it('keys on operation name, text and variables; refuses malformed bodies', () => {
    const cache = new ResponseCache({ entries: 10, maxBytes: 1000 });
    const key = (b: unknown): string | undefined => cache.cacheable(b)?.key;
    expect(key(body('{ queue { totalCount } }'))).toBe(key(body('{ queue { totalCount } }', null)));
    expect(key(body('query($n: Int) { queue(first: $n) { totalCount } }', { n: 1 }))).not.toBe(key(body('query($n: Int) { queue(first: $n) { totalCount } }', { n: 2 })));
    expect(key(body('query A { queue { totalCount } }', undefined, 'A'))).not.toBe(key(body('query A { queue { totalCount } }')));
    expect(cache.cacheable(body('query A { __typename queue { totalCount } }', undefined, 'A'))).toMatchObject({ fields: ['queue'], operation: { name: 'A', rootFields: ['__typename', 'queue'] } });
    const refused = [
      null,
      'text',
      [body('{ queue { totalCount } }')],
      { query: 42 },
      body('{ queue { totalCount } }', undefined, 7),
      // GraphQL refuses an empty operation name, unlike none: not the same request.
      body('{ queue { totalCount } }', undefined, ''),
      // Fields Mercurius reads besides these change what the request means.
      { query: '{ queue { totalCount } }', extensions: { persistedQuery: { version: 1 } } },
      { query: '{ queue { totalCount } }', persisted: true },
      body(`{ queue { totalCount } } # ${'x'.repeat(MAX_CACHEABLE_QUERY_CHARS)}`),
    ];
    for (const bad of refused) expect(cache.cacheable(bad)).toBeNull();
    expect(new ResponseCache({ entries: 0, maxBytes: 1000 }).cacheable(body('{ queue { totalCount } }'))).toBeNull();
  });

  it('serves a response only under the change token it was computed after', () => {
    const cache = new ResponseCache({ entries: 10, maxBytes: 1000 });
    expect(cache.get('k', 1)).toBeUndefined();
    cache.set('k', 1, '{"data":1}');
    expect(cache.get('k', 1)).toBe('{"data":1}');
    // The read models changed: everything stored before is gone, and a response computed
    // after the old token was read (racing the change) is not kept.
    expect(cache.get('k', 2)).toBeUndefined();
    cache.set('late', 1, '{"data":"stale"}');
    expect(cache.get('late', 2)).toBeUndefined();
    cache.set('k', 2, '{"data":2}');
    expect(cache.get('k', 2)).toBe('{"data":2}');
  });

  it('keeps at most `entries` responses and `maxBytes` of keys and text, least recently used out first', () => {
    const cache = new ResponseCache({ entries: 3, maxBytes: 30 });
    cache.get('a', 1);
    for (const k of ['a', 'b', 'c']) cache.set(k, 1, `${k}`.repeat(5)); // 6 each, key included
    expect(cache.get('a', 1)).toBe('aaaaa'); // a is now the most recent
    cache.set('d', 1, 'ddddd');
    expect(cache.size).toBe(3);
    expect(cache.get('b', 1)).toBeUndefined();
    cache.set('e', 1, 'e'.repeat(20)); // 6 + 6 + 6 + 21 > 30: the oldest go
    expect(cache.get('e', 1)).toBe('e'.repeat(20));
    expect(cache.size).toBe(2);
    // A long key counts as much as a long response.
    cache.set('k'.repeat(25), 1, 'short');
    expect(cache.get('k'.repeat(25), 1)).toBe('short');
    expect(cache.get('e', 1)).toBeUndefined();
    cache.set('huge', 1, 'h'.repeat(27));
    expect(cache.get('huge', 1)).toBeUndefined();
  });
});

/** The real server: what a client sees of the cache, and that it never answers what the normal path would not. */
describe('response cache over HTTP', () => {
  let harness: Harness;
  let agent: string;
  let customerA: string;
  let customerB: string;
  const QUEUE = '{ queue(first: 50) { totalCount edges { node { id title organizationId priority } } } }';

  const post = (token: string | null, query: string, variables?: Record<string, unknown>): Promise<Response> =>
    fetch(harness.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token !== null && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, ...(variables && { variables }) }),
    });
  const cacheOf = (response: Response): string | null => response.headers.get('x-response-cache');
  let pairs = 0;
  /**
   * Asks `query` twice in a row, as a text not asked before (a numbered comment), and returns that
   * text for the test to ask again. A commit landing between the two (a projection batch, the
   * saga's cursor) rightly makes the second a miss too: then the pair is asked again, anew.
   */
  async function twice(token: string, query: string): Promise<{ first: Response; second: Response; query: string }> {
    for (let attempt = 0; ; attempt++) {
      const text = `${query} # pair ${++pairs}`;
      const first = await post(token, text);
      const second = await post(token, text);
      if (cacheOf(second) === 'hit' || attempt === 4) return { first, second, query: text };
    }
  }
  async function open(token: string, title: string): Promise<{ id: string; position: string }> {
    const reply = await harness.gql<{ openTicket: { position: string; ticket: { id: string } } }>(
      token,
      'mutation($i: OpenTicketInput!) { openTicket(input: $i) { position ticket { id } } }',
      { i: { channel: 'WEB', type: 'QUESTION', title, description: 'Asked by the cache test' } },
    );
    expect(reply.errors).toEqual([]);
    return { id: reply.data!.openTicket.ticket.id, position: reply.data!.openTicket.position };
  }

  beforeAll(async () => {
    harness = await startHarness();
    const admin = await harness.token({ sub: 'root', role: 'admin' });
    for (const org of ['org-a', 'org-b']) {
      const registered = await harness.gql(admin, 'mutation($i: RegisterOrganizationInput!) { registerOrganization(input: $i) { id } }', { i: { id: org, name: org, tier: 'pro' } });
      expect(registered.errors).toEqual([]);
      const added = await harness.gql(admin, 'mutation($i: AddContactInput!) { addContact(input: $i) { id } }', {
        i: { organizationId: org, contactId: `${org}-staff`, name: 'Staff', email: `staff@${org}.test`, kind: 'STAFF' },
      });
      expect(added.errors).toEqual([]);
    }
    agent = await harness.token({ sub: 'alice', role: 'agent' });
    customerA = await harness.token({ sub: 'org-a-staff', role: 'customer', org: 'org-a' });
    customerB = await harness.token({ sub: 'org-b-staff', role: 'customer', org: 'org-b' });
    await open(customerA, 'From A');
    const b = await open(customerB, 'From B');
    // Settled: the projections have both tickets before the tests ask.
    const settled = await harness.gql<{ queue: { totalCount: number } }>(agent, `{ queue(atLeastPosition: "${b.position}") { totalCount } }`);
    expect(settled.data?.queue.totalCount).toBe(2);
  });
  afterAll(() => harness.close());

  it('answers a repeated query from the cache with the same response', async () => {
    const { first, second } = await twice(agent, QUEUE);
    expect(cacheOf(first)).toBe('miss');
    expect(cacheOf(second)).toBe('hit');
    expect(second.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const [a, b] = [await first.json(), await second.json()];
    expect(b).toEqual(a);
    expect((a as { data: { queue: { totalCount: number } } }).data.queue.totalCount).toBeGreaterThanOrEqual(2);
  });

  it('never serves a response older than the read models: a new ticket shows at once after its projection', async () => {
    const { second, query } = await twice(agent, QUEUE);
    expect(cacheOf(second)).toBe('hit');
    const opened = await open(customerA, 'Newer than the cache');
    // Another query waits for the projection, so the cached one is asked after the change.
    expect((await harness.gql(agent, `{ queue(atLeastPosition: "${opened.position}") { totalCount } }`)).errors).toEqual([]);
    const after = await post(agent, query);
    expect(cacheOf(after)).toBe('miss');
    const ids = ((await after.json()) as { data: { queue: { edges: Array<{ node: { id: string } }> } } }).data.queue.edges.map((e) => e.node.id);
    expect(ids).toContain(opened.id);
  });

  it("keeps customers' answers apart: the same request from another organization is its own", async () => {
    const { second: fromA, query } = await twice(customerA, QUEUE);
    expect(cacheOf(fromA)).toBe('hit');
    const fromB = await post(customerB, query);
    expect(cacheOf(fromB)).toBe('miss');
    const orgs = (r: unknown): string[] => [...new Set((r as { data: { queue: { edges: Array<{ node: { organizationId: string } }> } } }).data.queue.edges.map((e) => e.node.organizationId))];
    expect(orgs(await fromA.json())).toEqual(['org-a']);
    expect(orgs(await fromB.json())).toEqual(['org-b']);
  });

  it('still refuses callers the normal path refuses, for a request that is cached', async () => {
    const { second, query } = await twice(agent, QUEUE);
    expect(cacheOf(second)).toBe('hit');
    const expired = await harness.token({ sub: 'alice', role: 'agent' }, -10);
    const auditor = await harness.token({ sub: 'audrey', role: 'auditor' });
    const forged = agent.slice(0, agent.lastIndexOf('.') + 1) + 'AAAA' + agent.slice(agent.lastIndexOf('.') + 5);
    for (const [token, code] of [
      [null, 'UNAUTHENTICATED'],
      [expired, 'UNAUTHENTICATED'],
      [forged, 'UNAUTHENTICATED'],
      [auditor, 'FORBIDDEN'],
    ] as const) {
      const response = await post(token, query);
      expect({ code, cache: cacheOf(response) }).toEqual({ code, cache: null });
      const reply = (await response.json()) as { data: unknown; errors: Array<{ extensions: { code: string } }> };
      expect(reply.errors[0]!.extensions.code).toBe(code);
      expect(reply.data).toBeNull();
    }
  });

  it('leaves a body Mercurius refuses, or reads differently, to the normal path', async () => {
    const { second, query } = await twice(agent, QUEUE);
    expect(cacheOf(second)).toBe('hit');
    for (const extra of [{ variables: 5 }, { extensions: 5 }, { persisted: 'x' }]) {
      const response = await fetch(harness.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` },
        body: JSON.stringify({ query, ...extra }),
      });
      const reply = (await response.json()) as { errors?: Array<{ extensions: { code: string } }> };
      expect({ extra, cache: cacheOf(response), code: reply.errors?.[0]?.extensions.code }).toEqual({ extra, cache: null, code: 'BAD_USER_INPUT' });
    }
    // An empty operation name: whatever the normal path makes of it, it is not the cached request.
    const unnamed = await fetch(harness.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` },
      body: JSON.stringify({ query, operationName: '' }),
    });
    expect(cacheOf(unnamed)).toBeNull();
  });

  it('does not keep errors, and leaves other operations alone', async () => {
    for (let i = 0; i < 2; i++) {
      const bad = await post(agent, '{ queue(first: 0) { totalCount } }');
      expect(cacheOf(bad)).toBe('miss');
      expect(((await bad.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    }
    const mixed = await post(agent, '{ queue { totalCount } organization(id: "org-a") { id } }');
    expect(cacheOf(mixed)).toBeNull();
    expect(mixed.status).toBe(200);
  });

  it('runs the query afresh when the request says Cache-Control: no-cache', async () => {
    const { query } = await twice(agent, QUEUE);
    for (const directive of ['no-cache', 'max-age=0, no-store']) {
      const fresh = await fetch(harness.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}`, 'cache-control': directive },
        body: JSON.stringify({ query }),
      });
      expect(cacheOf(fresh)).toBe('bypass');
      expect(((await fresh.json()) as { errors?: unknown }).errors).toBeUndefined();
    }
  });

  it('counts hits and misses in /metrics', async () => {
    await twice(agent, QUEUE);
    const metrics = await (await fetch(`${harness.url}/metrics`)).text();
    const count = (result: string): number => Number(new RegExp(`tracedesk_graphql_response_cache_total\\{result="${result}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(count('hit')).toBeGreaterThanOrEqual(4);
    expect(count('miss')).toBeGreaterThanOrEqual(5);
  });
});
