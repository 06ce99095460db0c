import { deepFreeze } from '@tracedesk/util';

/**
 * Parsed rows by their stored JSON text, the most recently used kept. A queue row carries the
 * projection's working state (~2.4 KB of JSON in all) and `JSON.parse` of a 20-row page was a
 * fifth of the CPU of a queue query; agents keep asking for the same top pages, whose rows change
 * far less often than they are read. Keyed by the text itself, so a changed row is a new entry and
 * a hit is always the current row. Rows are frozen, deeply: one object goes to many callers.
 */
export class ParsedRowCache<R> {
  private readonly rows = new Map<string, R>();

  constructor(private readonly limit: number) {}

  parse(text: string): R {
    const hit = this.rows.get(text);
    if (hit !== undefined) {
      // Most recently used last: Map keeps insertion order, so eviction takes the first.
      this.rows.delete(text);
      this.rows.set(text, hit);
      return hit;
    }
    const row = deepFreeze(JSON.parse(text) as R);
    this.rows.set(text, row);
    if (this.rows.size > this.limit) this.rows.delete(this.rows.keys().next().value as string);
    return row;
  }

  get size(): number {
    return this.rows.size;
  }
}
