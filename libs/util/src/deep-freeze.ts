/**
 * Freezes a value and everything it holds that is not frozen yet, and returns it. Values shared
 * between callers (a parsed policy, folded states, cached rows) are frozen so that a mutation
 * by one of them fails loudly instead of corrupting what the others see.
 *
 * A frozen object is taken as deeply frozen already, as this function leaves them: a fold builds
 * new objects around unchanged, already frozen parts, so only what changed is visited. The
 * object is frozen before its members are visited, so a cycle ends too.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
