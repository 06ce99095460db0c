import type { Runtime } from '@tracedesk/application';
import { GatewayError } from '../errors.js';

const POSITION = /^\d{1,30}$/;

/**
 * Read your writes: waits until every projection has applied the log up to `position` (from a
 * mutation's TicketResult). Returns false when the wait timed out.
 */
export async function waitForPosition(runtime: Runtime, position: string | null | undefined): Promise<boolean> {
  if (position === undefined || position === null) return true;
  if (!POSITION.test(position)) {
    throw new GatewayError('BAD_USER_INPUT', `atLeastPosition must be a log position as returned by a mutation (digits only), got "${position.slice(0, 40)}"`, { field: 'atLeastPosition' });
  }
  return runtime.runner.waitFor(BigInt(position), runtime.config.readYourWritesTimeoutMs);
}
