import { describe, expect, it } from '@jest/globals';
import { deepFreeze } from './deep-freeze.js';

describe('deepFreeze', () => {
  it('freezes every object and array it reaches and returns the same value', () => {
    const value = { a: { b: [1, { c: 'x' }] }, d: null, e: 'text' };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.a.b[1])).toBe(true);
    expect(() => {
      (value.a.b[1] as { c: string }).c = 'y';
    }).toThrow(TypeError);
  });

  it('leaves primitives alone', () => {
    for (const primitive of [null, undefined, 0, 'text', true, 1n]) expect(deepFreeze(primitive)).toBe(primitive);
  });

  it('does not descend into what is frozen already (a fold reuses frozen parts), and ends on cycles', () => {
    // Frozen shallowly by someone else: taken as done, its child is not visited.
    const reused = Object.freeze({ clocks: [{ due: 1 }] });
    const next = { reused, changed: { status: 'OPEN' } };
    deepFreeze(next);
    expect(Object.isFrozen(next.changed)).toBe(true);
    expect(Object.isFrozen(reused.clocks)).toBe(false);
    const cyclic: { self?: unknown; inner: { x: number } } = { inner: { x: 1 } };
    cyclic.self = cyclic;
    expect(deepFreeze(cyclic)).toBe(cyclic);
    expect(Object.isFrozen(cyclic.inner)).toBe(true);
  });
});
