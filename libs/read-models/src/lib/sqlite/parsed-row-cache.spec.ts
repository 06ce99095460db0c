import { describe, expect, it } from '@jest/globals';
import { ParsedRowCache } from './parsed-row-cache.js';

describe('ParsedRowCache', () => {
  it('gives the parsed row of a text, the same object for the same text, a new one for a changed text', () => {
    const cache = new ParsedRowCache<{ id: string; clocks: Array<{ dueAt: string }> }>(10);
    const text = JSON.stringify({ id: 't-1', clocks: [{ dueAt: '2026-12-07T10:00:00.000Z' }] });
    const first = cache.parse(text);
    expect(first).toEqual({ id: 't-1', clocks: [{ dueAt: '2026-12-07T10:00:00.000Z' }] });
    // A text read again from the database is another string object with the same characters.
    expect(cache.parse(JSON.parse(JSON.stringify(text)) as string)).toBe(first);
    const changed = cache.parse(JSON.stringify({ id: 't-1', clocks: [{ dueAt: '2026-12-07T11:00:00.000Z' }] }));
    expect(changed).not.toBe(first);
    expect(changed.clocks[0]!.dueAt).toBe('2026-12-07T11:00:00.000Z');
  });

  it('freezes rows deeply, so no caller can change what the next one gets', () => {
    const cache = new ParsedRowCache<{ clocks: Array<{ dueAt: string }> }>(10);
    const row = cache.parse('{"clocks":[{"dueAt":"x"}]}');
    expect(() => {
      row.clocks[0]!.dueAt = 'y';
    }).toThrow(TypeError);
    expect(() => row.clocks.push({ dueAt: 'z' })).toThrow(TypeError);
  });

  it('keeps at most its limit, dropping the least recently used', () => {
    const cache = new ParsedRowCache<{ n: number }>(3);
    const a = cache.parse('{"n":1}');
    cache.parse('{"n":2}');
    cache.parse('{"n":3}');
    expect(cache.parse('{"n":1}')).toBe(a); // used again: now the most recent
    cache.parse('{"n":4}'); // drops n=2, the least recently used
    expect(cache.size).toBe(3);
    expect(cache.parse('{"n":1}')).toBe(a);
    const two = cache.parse('{"n":2}');
    expect(two).toEqual({ n: 2 });
    expect(cache.size).toBe(3);
  });
});
