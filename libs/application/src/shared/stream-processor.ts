import { Inject, Injectable } from '@nestjs/common';
import {
  StreamNotFoundError,
  type AppendResult,
  WrongExpectedVersionError,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type RecordedEvent,
} from '@tracedesk/event-store';
import { fold } from '@tracedesk/domain';
import { ConcurrencyConflictError } from './application-errors.js';
import { CLOCK, type Clock } from './clock.js';
import { withIds, type CommandMeta } from './command-meta.js';
import { COMMAND_OPTIONS, EVENT_STORE, SLA_POLICY, type CommandOptions } from './tokens.js';
import type { SlaPolicyHolder } from './sla-policy-holder.js';
import type { SlaPolicy } from '@tracedesk/sla';

/** A domain event as deciders produce it. */
export interface DomainEvent {
  type: string;
  data: object;
}

export interface LoadedStream<S> {
  state: S;
  /** Revision of the last event, or -1 when the stream does not exist. */
  revision: number;
  events: RecordedEvent[];
}

export interface ProcessResult<S> {
  state: S;
  revision: number;
  /** Global position of the last event written (or of the stream head when nothing was written). */
  position: bigint;
  written: number;
}

/** A stream's state as last folded here, with the revision and position it is current at. */
interface CachedStream {
  /** The fold it was made with: a stream is only reused with the same `evolve`. */
  evolve: unknown;
  state: unknown;
  revision: number;
  position: bigint;
}

/**
 * Streams whose folded state is kept between commands (least recently used are dropped).
 * About 3 KB per ticket state, so ~30 MB at most.
 */
export const STREAM_STATE_CACHE_SIZE = 10_000;

/**
 * Freezes a state and everything it holds that is not frozen yet. States are shared between
 * commands through the cache (and handed to callers), so a mutation by a decider or a caller
 * must fail loudly rather than corrupt later decisions. Folds build new objects around the
 * unchanged (already frozen) parts, so only what an event changed is visited.
 */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

export interface DecideArgs<S, E extends DomainEvent> {
  streamId: string;
  evolve: (state: S, event: E) => S;
  initial: () => S;
  meta: CommandMeta;
  commandType: string;
  /** Pure decision, given the state folded from the stream, the time and the policy. */
  decide: (state: S, now: Date, policy: SlaPolicy) => E[] | Promise<E[]>;
}

/**
 * Load → fold → decide → append with the expected revision. On a concurrency conflict the
 * stream is read again and the command decided again, a bounded number of times, then it fails
 * with CONFLICT. Nothing is written when the decider refuses.
 *
 * The state folded for a command is kept (bounded, least recently used dropped) so the next
 * command on the stream does not read and fold the whole history again: before deciding, it
 * looks at the stream's head and reads only the events after the kept revision, so writes by
 * other processes are folded in and the decision is made on the same state a full read gives.
 * A conflict or a failed append drops the stream's entry, and the retry reads it in full.
 */
@Injectable()
export class StreamProcessor {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly states = new Map<string, CachedStream>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SLA_POLICY) private readonly policy: SlaPolicyHolder,
    @Inject(COMMAND_OPTIONS) private readonly options: CommandOptions,
  ) {}

  async load<S, E extends DomainEvent>(streamId: string, evolve: (state: S, event: E) => S, initial: () => S): Promise<LoadedStream<S>> {
    let events: RecordedEvent[];
    try {
      events = await this.store.readStream(streamId);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return { state: initial(), revision: -1, events: [] };
      throw error;
    }
    const state = fold(evolve, initial(), events as unknown as E[]);
    return { state, revision: events.length === 0 ? -1 : events[events.length - 1]!.revision, events };
  }

  /**
   * Commands on the same stream in this process run one after another, so a busy ticket does
   * not make its own commands conflict and retry; the expected revision still guards against
   * other processes (gateway replicas, the worker), for which the bounded retry remains.
   */
  process<S, E extends DomainEvent>(args: DecideArgs<S, E>): Promise<ProcessResult<S>> {
    return this.exclusive(args.streamId, () => this.decideAndAppend(args));
  }

  private async exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /**
   * The stream's current state. One look at the stream's head says whether the kept state is
   * still current (same last revision and position: nothing was written since, by anyone); if
   * the stream has grown, only the newer events are read and folded onto it; otherwise (not
   * kept, or the head does not continue it) the stream is read in full. Streams are
   * append-only, so the kept state plus the newer events is the fold of the whole stream.
   * Only called inside `exclusive(streamId)`.
   */
  private async current<S, E extends DomainEvent>(
    streamId: string,
    evolve: (state: S, event: E) => S,
    initial: () => S,
  ): Promise<CachedStream & { state: S }> {
    const head = await this.store.streamHead(streamId);
    const kept = this.states.get(streamId);
    if (!head) {
      this.states.delete(streamId);
      return { evolve, state: initial(), revision: -1, position: 0n };
    }
    if (kept && kept.evolve === evolve) {
      if (head.revision === kept.revision && head.position === kept.position) {
        this.keep(streamId, kept);
        return kept as CachedStream & { state: S };
      }
      if (head.revision > kept.revision) {
        const newer = await this.store.readStream(streamId, { fromRevision: kept.revision + 1 });
        const last = newer[newer.length - 1];
        if (last && newer[0]!.revision === kept.revision + 1 && last.revision === kept.revision + newer.length) {
          const state = deepFreeze(fold(evolve, kept.state as S, newer as unknown as E[]));
          const fresh = { evolve, state, revision: last.revision, position: last.position };
          this.keep(streamId, fresh);
          return fresh;
        }
      }
    }
    this.states.delete(streamId);
    const loaded = await this.load(streamId, evolve, initial);
    const last = loaded.events[loaded.events.length - 1];
    const fresh = { evolve, state: deepFreeze(loaded.state), revision: loaded.revision, position: last?.position ?? 0n };
    if (last) this.keep(streamId, fresh);
    return fresh;
  }

  private keep(streamId: string, entry: CachedStream): void {
    // Re-inserting moves the stream to the end: the Map's order is least recently used first.
    this.states.delete(streamId);
    this.states.set(streamId, entry);
    if (this.states.size > STREAM_STATE_CACHE_SIZE) {
      const oldest = this.states.keys().next();
      if (!oldest.done) this.states.delete(oldest.value);
    }
  }

  private async decideAndAppend<S, E extends DomainEvent>(args: DecideArgs<S, E>): Promise<ProcessResult<S>> {
    const meta = withIds(args.meta);
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.current(args.streamId, args.evolve, args.initial);
      const now = this.clock.now();
      const policy = this.policy.current;
      const decided = await args.decide(loaded.state, now, policy);
      if (decided.length === 0) {
        return { state: loaded.state, revision: loaded.revision, position: loaded.position, written: 0 };
      }
      const expected: ExpectedRevision = loaded.revision < 0 ? 'no_stream' : loaded.revision;
      const metadata: JsonObject = {
        actorId: meta.actor.id,
        actorRole: meta.actor.role,
        correlationId: meta.correlationId,
        causationId: meta.causationId ?? null,
        command: args.commandType,
        occurredAt: now.toISOString(),
        policyVersion: policy.version,
      };
      let appended: AppendResult;
      try {
        appended = await this.store.append(
          args.streamId,
          decided.map((event) => ({ type: event.type, data: event.data as JsonObject, metadata })),
          expected,
        );
      } catch (error) {
        // Whatever happened to the append, the next command on this stream reads it in full.
        this.states.delete(args.streamId);
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (attempt >= this.options.maxAttempts) throw new ConcurrencyConflictError(args.streamId, attempt);
        // A short random pause spreads writers from several processes so they stop colliding.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
        continue;
      }
      // The store took the events as JSON (it refuses anything else), so folding the decided
      // events gives the state a read of the stored ones would.
      const state = deepFreeze(fold(args.evolve, loaded.state, decided));
      this.keep(args.streamId, { evolve: args.evolve, state, revision: appended.nextExpectedRevision, position: appended.position });
      return { state, revision: appended.nextExpectedRevision, position: appended.position, written: decided.length };
    }
  }
}
