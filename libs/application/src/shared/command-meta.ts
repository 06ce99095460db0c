import { randomUUID } from 'node:crypto';
import type { Actor } from '@tracedesk/domain';

/** Who sends a command and in which conversation: stored in every event's metadata. */
export interface CommandMeta {
  actor: Actor;
  /** Ties together everything one request caused; generated when absent. */
  correlationId?: string;
  /** The event or request that caused this command (e.g. a breach causing an escalation). */
  causationId?: string;
}

export function withIds(meta: CommandMeta): Required<Pick<CommandMeta, 'correlationId'>> & CommandMeta {
  return { ...meta, correlationId: meta.correlationId ?? randomUUID() };
}
