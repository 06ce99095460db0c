import { describe, expect, it } from '@jest/globals';
import { buildSchema, parse } from 'graphql';
import { getComplexity } from 'graphql-query-complexity';
import fc from 'fast-check';
import { COST_ESTIMATORS, QueryCost } from './query-cost.js';

const schema = buildSchema(`
  type Item { id: ID!, title: String, tags: [String!] }
  type Page { totalCount: Int!, items: [Item!]! }
  type Query { queue(first: Int, status: String): Page!, slaBreaches(first: Int): Page!, ticket(id: ID!): Item }
`);

const PAGED = `query Q($n: Int, $withTags: Boolean!, $status: String) {
  queue(first: $n, status: $status) { totalCount items { id title tags @include(if: $withTags) } }
  ticket(id: "T-1") { id }
}`;

describe('QueryCost', () => {
  it('charges pages per requested row, and a remembered cost follows the page size asked', () => {
    const cost = new QueryCost();
    const document = parse(PAGED);
    const at = (n: number | null | undefined, withTags = false): number =>
      cost.of(schema, document, { withTags, status: 'OPEN', ...(n !== undefined && { n }) });
    // queue: 1 + (totalCount 1 + items (1 + id + title)) per row; ticket: 1 + id.
    expect(at(10)).toBe(1 + 10 * (1 + 1 + 2) + 2);
    expect(at(100)).toBe(1 + 100 * 4 + 2);
    expect(at(10)).toBe(43);
    // Absent and null both fall back to the default page of 50, each remembered apart.
    expect(at(undefined)).toBe(1 + 50 * 4 + 2);
    expect(at(null)).toBe(1 + 50 * 4 + 2);
    // A directive's condition decides whether a field counts.
    expect(at(10, true)).toBe(1 + 10 * 5 + 2);
    expect(at(10, false)).toBe(43);
  });

  it('equals a fresh computation for any sequence of requests on the same documents', () => {
    const cost = new QueryCost();
    const documents = [PAGED, '{ slaBreaches(first: 7) { totalCount } }', 'query B($k: Int) { slaBreaches(first: $k) { items { id } } a: queue { totalCount } }'].map((text) => parse(text));
    const request = fc.record({
      document: fc.integer({ min: 0, max: documents.length - 1 }),
      n: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
      k: fc.option(fc.integer({ min: 0, max: 500 })),
      withTags: fc.boolean(),
      status: fc.string(),
    });
    fc.assert(
      fc.property(fc.array(request, { maxLength: 60 }), (requests) => {
        for (const r of requests) {
          const document = documents[r.document]!;
          const variables = { withTags: r.withTags, status: r.status, k: r.k, ...(r.n !== undefined && { n: r.n }) };
          const fresh = getComplexity({
            schema,
            query: document,
            variables,
            estimators: COST_ESTIMATORS,
          });
          expect(cost.of(schema, document, variables)).toBe(fresh);
        }
      }),
    );
  });

  it('refuses page sizes and conditions that do not coerce, also once the document was costed', () => {
    const cost = new QueryCost();
    const document = parse(PAGED);
    expect(cost.of(schema, document, { n: 5, withTags: false })).toBe(1 + 5 * 4 + 2);
    expect(() => cost.of(schema, document, { n: 'five', withTags: false })).toThrow(/\$n/);
    expect(() => cost.of(schema, document, { n: 5.5, withTags: false })).toThrow(/\$n/);
    expect(() => cost.of(schema, document, { n: [5], withTags: false })).toThrow(/\$n/);
    expect(() => cost.of(schema, document, { n: 5, withTags: 'yes' })).toThrow(/\$withTags/);
  });
});
