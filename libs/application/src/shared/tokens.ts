/** Injection tokens for what the application needs from outside. */
export const EVENT_STORE = Symbol('EventStore');
/** An `SlaPolicyHolder`: the policy in force (it may be reloaded). */
export const SLA_POLICY = Symbol('SlaPolicy');
/** The ReadModelStore (queries, and the watcher's and sagas' cursors). */
export const READ_MODELS = Symbol('ReadModelStore');
export const COMMAND_OPTIONS = Symbol('CommandOptions');

export interface CommandOptions {
  /** Attempts on a concurrency conflict before giving up with CONFLICT. */
  maxAttempts: number;
}
export const DEFAULT_COMMAND_OPTIONS: CommandOptions = { maxAttempts: 5 };
