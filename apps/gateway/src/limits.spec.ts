import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './testing/gateway-harness.js';

describe('request limits and error hygiene', () => {
  let harness: Harness;
  let agent: string;
  beforeAll(async () => {
    harness = await startHarness({ GRAPHQL_BODY_LIMIT_BYTES: '2048', GRAPHQL_MAX_DEPTH: '4', GRAPHQL_MAX_COMPLEXITY: '300' });
    agent = await harness.token({ sub: 'alice', role: 'agent' });
  });
  afterAll(() => harness.close());

  it('refuses a body over GRAPHQL_BODY_LIMIT_BYTES with 413 and no stack', async () => {
    const response = await fetch(harness.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}` },
      body: JSON.stringify({ query: `{ queue { totalCount } } # ${'x'.repeat(4096)}` }),
    });
    expect(response.status).toBe(413);
    const text = await response.text();
    expect(text).not.toMatch(/at \w+ \(|node_modules|\.ts:/);
  });

  it('refuses a query deeper than GRAPHQL_MAX_DEPTH with BAD_USER_INPUT', async () => {
    const reply = await harness.gql(agent, '{ queue { edges { node { sla { metric } } } } }');
    expect(reply.status).toBe(400);
    expect(reply.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(reply.errors[0]!.message).toMatch(/depth/);
    const shallow = await harness.gql(agent, '{ queue { totalCount } }');
    expect(shallow.errors).toEqual([]);
  });

  it('refuses a query costlier than GRAPHQL_MAX_COMPLEXITY (pages count per row)', async () => {
    const reply = await harness.gql(agent, '{ queue(first: 500) { edges { node { id title status } } } }');
    expect(reply.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(reply.errors[0]!.message).toMatch(/costs \d+, more than the limit of 300/);
    const small = await harness.gql(agent, '{ queue(first: 10) { edges { node { id title status } } } }');
    expect(small.errors).toEqual([]);
  });

  it('names the field in GraphQL validation and coercion errors', async () => {
    const unknown = await harness.gql(agent, '{ queue { nope } }');
    expect(unknown.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('nope') });
    const badEnum = await harness.gql(agent, 'mutation($input: ChangePriorityInput!) { changePriority(input: $input) { revision } }', {
      input: { ticketId: 'T1', priority: 'URGENT', reason: 'x' },
    });
    expect(badEnum.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('priority') });
  });

  it('maps read-model input errors (bad cursor, page size) to BAD_USER_INPUT', async () => {
    const cursor = await harness.gql(agent, '{ queue(after: "garbage!") { totalCount } }');
    expect(cursor.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('after') });
    const size = await harness.gql(agent, '{ queue(first: 0) { totalCount } }');
    expect(size.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('first') });
  });

  it('answers a bad atLeastPosition with BAD_USER_INPUT naming it', async () => {
    const reply = await harness.gql(agent, '{ queue(atLeastPosition: "-1") { totalCount } }');
    expect(reply.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'atLeastPosition' } });
  });

  it('shuts down cleanly on SIGTERM', async () => {
    expect(await harness.stop()).toBe(0);
  });
});

describe('per-user rate limiting', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' });
  });
  afterAll(() => harness.close());

  it('limits each token subject separately, with 429 and a code', async () => {
    const alice = await harness.token({ sub: 'alice', role: 'agent' });
    const bob = await harness.token({ sub: 'bob', role: 'agent' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await harness.gql(alice, '{ queue { totalCount } }')).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await harness.gql(alice, '{ queue { totalCount } }');
    expect(limited.status).toBe(429);
    expect(limited.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    expect((await harness.gql(bob, '{ queue { totalCount } }')).status).toBe(200);
  });
});
