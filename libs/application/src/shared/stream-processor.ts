import { Inject, Injectable } from '@nestjs/common';
import {
  StreamNotFoundError,
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
 */
@Injectable()
export class StreamProcessor {
  private readonly tails = new Map<string, Promise<void>>();

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

  private async decideAndAppend<S, E extends DomainEvent>(args: DecideArgs<S, E>): Promise<ProcessResult<S>> {
    const meta = withIds(args.meta);
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.load(args.streamId, args.evolve, args.initial);
      const now = this.clock.now();
      const policy = this.policy.current;
      const decided = await args.decide(loaded.state, now, policy);
      if (decided.length === 0) {
        const head = loaded.events[loaded.events.length - 1];
        return { state: loaded.state, revision: loaded.revision, position: head?.position ?? 0n, written: 0 };
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
      try {
        const appended = await this.store.append(
          args.streamId,
          decided.map((event) => ({ type: event.type, data: event.data as JsonObject, metadata })),
          expected,
        );
        return {
          state: fold(args.evolve, loaded.state, decided),
          revision: appended.nextExpectedRevision,
          position: appended.position,
          written: decided.length,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (attempt >= this.options.maxAttempts) throw new ConcurrencyConflictError(args.streamId, attempt);
        // A short random pause spreads writers from several processes so they stop colliding.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
      }
    }
  }
}
