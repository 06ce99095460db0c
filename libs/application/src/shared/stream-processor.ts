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
import { chainEvents, GENESIS_HASH, storedHash } from '../audit/hash-chain.js';
import { CLOCK, type Clock } from './clock.js';
import { withIds, type CommandMeta } from './command-meta.js';
import { COMMAND_OPTIONS, EVENT_STORE, SLA_POLICY, type CommandOptions } from './tokens.js';
import type { SlaPolicyHolder } from './sla-policy-holder.js';
import type { SlaPolicy } from '@tracedesk/sla';
import { deepFreeze } from '@tracedesk/util';

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

/**
 * Bounds of what the processor keeps between calls (least recently used streams are dropped
 * first). Commands keep the folded state only: about 3 KB per ticket, so ~6 MB at most — the
 * tickets being worked on now; a ticket dropped costs one full read of its stream when next
 * touched. (10,000 made the soak's memory climb for minutes while the cache filled.)
 * `load()` also keeps the events it returns, so it is bounded by events: ~1 KB each.
 */
export const KEPT_STREAM_LIMITS = {
  states: 2_000,
  historyStreams: 1_000,
  historyEvents: 20_000,
} as const;

/** A stream's state as last folded here, current at `revision` and `position` (its last event). */
interface Kept {
  /** The fold it was made with: a stream is only reused with the same `evolve`. */
  evolve: unknown;
  state: unknown;
  revision: number;
  position: bigint;
  /** The whole stream, kept by `load()` only. */
  events?: readonly RecordedEvent[];
  /** `hash` of the last event: the next event's `prevHash`. */
  lastHash: string;
}

/** Least-recently-used streams, bounded by count and by the events they hold. */
class KeptStreams {
  private readonly entries = new Map<string, Kept>();
  private events = 0;

  constructor(
    private readonly maxStreams: number,
    private readonly maxEvents: number,
  ) {}

  get(streamId: string): Kept | undefined {
    return this.entries.get(streamId);
  }

  set(streamId: string, entry: Kept): void {
    // Re-inserting moves the stream to the end: the Map's order is least recently used first.
    this.delete(streamId);
    const events = entry.events?.length ?? 0;
    if (events > this.maxEvents / 4) return; // a long history is not worth keeping
    this.entries.set(streamId, entry);
    this.events += events;
    while (this.entries.size > this.maxStreams || this.events > this.maxEvents) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(streamId: string): void {
    const entry = this.entries.get(streamId);
    if (!entry) return;
    this.entries.delete(streamId);
    this.events -= entry.events?.length ?? 0;
  }
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
 * Folded states are kept between calls (bounded), so a command does not read and fold the
 * whole history of its stream again. A kept state is used only when it is current: one look at
 * the stream's head says whether anything was written since (by this process or any other); if
 * so, only the newer events are read and folded onto it. Streams are append-only, so the kept
 * state plus the newer events is the fold of the whole stream, the state a full read gives.
 * A conflict or a failed append drops the stream's kept state, and the retry reads it in full.
 */
@Injectable()
export class StreamProcessor {
  private readonly tails = new Map<string, Promise<void>>();
  /** Folded states, for commands. */
  private readonly states = new KeptStreams(KEPT_STREAM_LIMITS.states, Number.POSITIVE_INFINITY);
  /** Folded states with their events, for `load()`. */
  private readonly histories = new KeptStreams(KEPT_STREAM_LIMITS.historyStreams, KEPT_STREAM_LIMITS.historyEvents);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SLA_POLICY) private readonly policy: SlaPolicyHolder,
    @Inject(COMMAND_OPTIONS) private readonly options: CommandOptions,
  ) {}

  /** The stream's current state and events (frozen: they may be shared with later calls). */
  async load<S, E extends DomainEvent>(streamId: string, evolve: (state: S, event: E) => S, initial: () => S): Promise<LoadedStream<S>> {
    const current = await this.current(this.histories, streamId, evolve, initial, true);
    return { state: current.state as S, revision: current.revision, events: [...(current.events ?? [])] };
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
   * The stream's state as of now: the kept one if the stream's head is still its last event;
   * the kept one with the newer events folded on if the stream has grown from it; otherwise
   * (not kept, or the head does not continue it) a full read.
   */
  private async current<S, E extends DomainEvent>(
    kept: KeptStreams,
    streamId: string,
    evolve: (state: S, event: E) => S,
    initial: () => S,
    withEvents: boolean,
  ): Promise<Kept> {
    const head = await this.store.streamHead(streamId);
    if (!head) {
      kept.delete(streamId);
      return { evolve, state: initial(), revision: -1, position: 0n, events: [], lastHash: GENESIS_HASH };
    }
    const known = kept.get(streamId);
    if (known && known.evolve === evolve && (!withEvents || known.events)) {
      if (head.revision === known.revision && head.position === known.position) {
        kept.set(streamId, known);
        return known;
      }
      if (head.revision > known.revision) {
        const newer = await this.store.readStream(streamId, { fromRevision: known.revision + 1 });
        const last = newer[newer.length - 1];
        if (last && newer[0]!.revision === known.revision + 1 && last.revision === known.revision + newer.length) {
          const fresh: Kept = {
            evolve,
            state: deepFreeze(fold(evolve, known.state as S, newer as unknown as E[])),
            revision: last.revision,
            position: last.position,
            lastHash: storedHash(last),
            ...(withEvents && { events: [...known.events!, ...deepFreeze(newer)] }),
          };
          kept.set(streamId, fresh);
          return fresh;
        }
      }
    }
    kept.delete(streamId);
    let events: RecordedEvent[];
    try {
      events = await this.store.readStream(streamId);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return { evolve, state: initial(), revision: -1, position: 0n, events: [], lastHash: GENESIS_HASH };
      throw error;
    }
    const last = events[events.length - 1];
    if (!last) return { evolve, state: initial(), revision: -1, position: 0n, events: [], lastHash: GENESIS_HASH };
    const fresh: Kept = {
      evolve,
      state: deepFreeze(fold(evolve, initial(), events as unknown as E[])),
      revision: last.revision,
      position: last.position,
      lastHash: storedHash(last),
      ...(withEvents && { events: deepFreeze(events) }),
    };
    kept.set(streamId, fresh);
    return fresh;
  }

  private async decideAndAppend<S, E extends DomainEvent>(args: DecideArgs<S, E>): Promise<ProcessResult<S>> {
    const meta = withIds(args.meta);
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.current(this.states, args.streamId, args.evolve, args.initial, false);
      const loadedState = loaded.state as S;
      const now = this.clock.now();
      const policy = this.policy.current;
      const decided = await args.decide(loadedState, now, policy);
      if (decided.length === 0) {
        return { state: loadedState, revision: loaded.revision, position: loaded.position, written: 0 };
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
      let chained: ReturnType<typeof chainEvents>;
      try {
        chained = chainEvents(
          args.streamId,
          loaded.revision + 1,
          loaded.lastHash,
          decided.map((event) => ({ type: event.type, data: event.data as JsonObject, metadata })),
        );
        appended = await this.store.append(args.streamId, chained, expected);
      } catch (error) {
        // Whatever became of the append, the next decision on this stream reads it in full.
        this.states.delete(args.streamId);
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (attempt >= this.options.maxAttempts) throw new ConcurrencyConflictError(args.streamId, attempt);
        // A short random pause spreads writers from several processes so they stop colliding.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
        continue;
      }
      // The store refuses anything but plain JSON, so folding the decided events gives the
      // state a read of the stored ones would.
      const state = deepFreeze(fold(args.evolve, loadedState, decided));
      const { nextExpectedRevision: revision, position } = appended;
      this.states.set(args.streamId, { evolve: args.evolve, state, revision, position, lastHash: storedHash(chained[chained.length - 1]) });
      return { state, revision, position, written: decided.length };
    }
  }
}
