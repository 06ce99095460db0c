import { visit, type DocumentNode, type GraphQLSchema, type ValueNode } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

/** Paged fields cost their children once per requested row (default page: 50). */
const pagedEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (field.name !== 'queue' && field.name !== 'slaBreaches') return undefined;
  const first = typeof args['first'] === 'number' ? args['first'] : 50;
  return 1 + childComplexity * Math.max(1, first);
};

/** How a request is costed: paged fields per row, every other field 1 (exported for the check against a fresh computation). */
export const COST_ESTIMATORS = [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })];

/** Costs remembered per document; a document asked with many page sizes keeps the latest few. */
const COSTS_PER_DOCUMENT = 32;

interface DocumentCosts {
  /** The variables a cost can depend on: those inside `first` arguments and directive arguments. */
  costVariables: string[];
  costs: Map<string, number>;
}

function variablesIn(value: ValueNode, into: Set<string>): void {
  visit(value, { Variable: (node) => void into.add(node.name.value) });
}

function costVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    // `first` is what the paged estimator reads; `@include(if:)` / `@skip(if:)` decide
    // which fields count at all.
    Argument: (node) => {
      if (node.name.value === 'first') variablesIn(node.value, names);
    },
    Directive: (node) => {
      for (const argument of node.arguments ?? []) variablesIn(argument.value, names);
    },
    VariableDefinition: () => false, // default values are not uses
  });
  return [...names].sort();
}

/**
 * What a request costs (graphql-query-complexity: one per field, paged fields per requested row,
 * every operation of the document summed). Computing it walks the document with the schema's
 * type information on every request, which was ~9% of the server's CPU; the result depends only
 * on the document and the values of the few variables named in `first` and directive arguments,
 * so it is remembered per parsed document (Mercurius hands the same document object for the same
 * query text) and those values. A request whose variables do not coerce is not remembered: it
 * fails here, or, with a remembered cost, in execution with the same code.
 */
export class QueryCost {
  private readonly byDocument = new WeakMap<DocumentNode, DocumentCosts>();

  of(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | null | undefined): number {
    let entry = this.byDocument.get(document);
    if (!entry) {
      entry = { costVariables: costVariablesOf(document), costs: new Map() };
      this.byDocument.set(document, entry);
    }
    const key = costKey(entry.costVariables, variables ?? {});
    const known = key === null ? undefined : entry.costs.get(key);
    if (known !== undefined) return known;
    const cost = getComplexity({ schema, query: document, variables: variables ?? {}, estimators: COST_ESTIMATORS });
    if (key !== null) {
      if (entry.costs.size >= COSTS_PER_DOCUMENT) entry.costs.delete(entry.costs.keys().next().value as string);
      entry.costs.set(key, cost);
    }
    return cost;
  }
}

/**
 * The values of the cost variables as a key: absent (the default applies) and null differ.
 * Only plain scalars are remembered (an Int page size, a Boolean condition); anything else
 * is computed each time.
 */
function costKey(names: readonly string[], variables: Record<string, unknown>): string | null {
  let key = '';
  for (const name of names) {
    if (!Object.hasOwn(variables, name)) {
      key += '-,';
      continue;
    }
    const value = variables[name];
    if (value !== null && typeof value !== 'number' && typeof value !== 'boolean') return null;
    key += `${String(value)},`;
  }
  return key;
}
