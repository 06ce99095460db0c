import { sign, verify, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import {
  StreamNotFoundError,
  WrongExpectedVersionError,
  type EventStore,
  type JsonObject,
  type Position,
  type RecordedEvent,
} from '@tracedesk/event-store';
import type { Clock } from '../shared/clock.js';
import { chainEvents, GENESIS_HASH, storedHash } from './hash-chain.js';
import { merkleRoot, sortHeads, type SealedHead } from './merkle-root.js';
import { keyId } from './seal-keys.js';

/** The stream seals are appended to; it is never sealed itself (its events chain and sign each other). */
export const SEALS_STREAM = 'seals';
export const SEAL_EVENT_TYPE = 'StreamsSealed';
export const SEALER_ACTOR = { id: 'sealer', role: 'system' } as const;
/** Keeps one seal event well under the store's 256 KiB event limit (~110 bytes a head). */
export const MAX_HEADS_PER_SEAL = 1000;
/** Most heads one sealing round collects (memory); a larger backlog is sealed in several rounds. */
export const MAX_HEADS_PER_ROUND = 100_000;

/** What a seal signs: everything in the event's data but `heads` (covered by `merkleRoot`) and `signature`. */
export interface SealBody {
  version: 1;
  sealedAt: string;
  /** Exclusive: where the previous round ended ("0" for the first seal). */
  fromPosition: string;
  /** Inclusive: every event at or before this position is covered by this seal or an earlier one. */
  toPosition: string;
  /** `metadata.hash` of the previous seal event (64 zeros for the first one). */
  previousSeal: string;
  streamCount: number;
  merkleRoot: string;
  /** hex SHA-256 of the signing key's SPKI DER. */
  keyId: string;
  /**
   * A round seals every stream changed in (fromPosition, toPosition], its heads split over
   * `parts` seal events of at most MAX_HEADS_PER_SEAL heads; this is part `part` (1-based).
   */
  part: number;
  parts: number;
}

export interface SealData extends SealBody {
  heads: SealedHead[];
  /** base64 Ed25519 signature over UTF-8(JCS(body)). */
  signature: string;
}

export interface SealSummary {
  revision: number;
  position: Position;
  toPosition: Position;
  streamCount: number;
  merkleRoot: string;
}

export function signedSealText(body: SealBody): string {
  const { version, sealedAt, fromPosition, toPosition, previousSeal, streamCount, merkleRoot: root, keyId: id, part, parts } = body;
  return canonicalize({ version, sealedAt, fromPosition, toPosition, previousSeal, streamCount, merkleRoot: root, keyId: id, part, parts })!;
}

const isHead = (value: unknown): value is SealedHead =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as SealedHead).stream === 'string' &&
  Number.isInteger((value as SealedHead).revision) &&
  typeof (value as SealedHead).hash === 'string';

/** The seal an event carries, or null when it is not a well-formed seal. */
export function sealData(event: Pick<RecordedEvent, 'type' | 'data'>): SealData | null {
  const d = event.data as Partial<SealData>;
  if (event.type !== SEAL_EVENT_TYPE || d.version !== 1 || !Array.isArray(d.heads) || !d.heads.every(isHead)) return null;
  for (const key of ['sealedAt', 'fromPosition', 'toPosition', 'previousSeal', 'merkleRoot', 'keyId', 'signature'] as const) {
    if (typeof d[key] !== 'string') return null;
  }
  const whole = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 1;
  return typeof d.streamCount === 'number' && whole(d.part) && whole(d.parts) && d.part <= d.parts ? (d as SealData) : null;
}

/**
 * Checks one seal against the trusted public key: well-formed, made with that key, the Merkle
 * root recomputed from its heads, the signature. Returns what is wrong, or null.
 */
export function sealProblem(event: Pick<RecordedEvent, 'type' | 'data' | 'revision'>, publicKey: KeyObject): string | null {
  const seal = sealData(event);
  if (!seal) return `seal ${event.revision} is not a well-formed seal`;
  if (seal.keyId !== keyId(publicKey)) return `seal ${event.revision} was made with another key (${seal.keyId.slice(0, 16)}…)`;
  if (seal.streamCount !== seal.heads.length || merkleRoot(seal.heads) !== seal.merkleRoot) {
    return `seal ${event.revision}: its heads do not match its Merkle root (the seal was altered)`;
  }
  let valid: boolean;
  try {
    valid = verify(null, Buffer.from(signedSealText(seal), 'utf8'), publicKey, Buffer.from(seal.signature, 'base64'));
  } catch {
    valid = false;
  }
  return valid ? null : `seal ${event.revision}: the signature does not verify (the seal was altered or forged)`;
}

export interface SealerOptions {
  store: EventStore;
  clock: Clock;
  /** Called on the first seal only, so a process that never seals never creates a key. */
  privateKey: () => KeyObject;
  pageSize?: number;
  maxHeadsPerSeal?: number;
  maxHeadsPerRound?: number;
  onError?: (error: unknown) => void;
}

/**
 * Appends signed seals to the `seals` stream: the heads (stream, revision, hash) of every
 * stream changed since the last seal, under a Merkle root, chained to the previous seal and
 * signed with Ed25519. Nothing is appended when nothing changed. Two sealers (gateway and
 * worker) cannot both seal the same range: the append expects the seals stream's revision.
 */
export class Sealer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SealSummary[]> | null = null;
  private key: KeyObject | undefined;

  constructor(private readonly options: SealerOptions) {}

  /** Seals everything written so far (several seal events when many streams changed). */
  sealNow(): Promise<SealSummary[]> {
    this.running ??= this.sealAll().finally(() => (this.running = null));
    return this.running;
  }

  start(intervalMs: number): void {
    this.stopTimer();
    this.timer = setInterval(() => {
      this.sealNow().catch((error: unknown) => this.options.onError?.(error));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the schedule and waits for a seal in flight, so the store can be closed after. */
  async stop(): Promise<void> {
    this.stopTimer();
    await this.running?.catch(() => undefined);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async lastSeal(): Promise<RecordedEvent | null> {
    try {
      const [last] = await this.options.store.readStream(SEALS_STREAM, { direction: 'backwards', maxCount: 1 });
      return last ?? null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
  }

  private async sealAll(): Promise<SealSummary[]> {
    const made: SealSummary[] = [];
    const head = await this.options.store.headPosition();
    for (;;) {
      const round = await this.sealRound(head);
      if (round.length === 0) return made;
      made.push(...round);
    }
  }

  /**
   * One round: every stream changed since the last round up to `head` (or up to
   * MAX_HEADS_PER_ROUND streams), its latest head once, in seal events of at most
   * maxHeadsPerSeal heads. A round cut short (a crash, another sealer) is sealed again whole.
   */
  private async sealRound(head: Position): Promise<SealSummary[]> {
    const { store } = this.options;
    const maxHeads = this.options.maxHeadsPerSeal ?? MAX_HEADS_PER_SEAL;
    const maxRound = this.options.maxHeadsPerRound ?? MAX_HEADS_PER_ROUND;
    let last = await this.lastSeal();
    const lastData = last ? sealData(last) : null;
    if (last && !lastData) throw new Error(`the last event of the ${SEALS_STREAM} stream is not a seal`);
    const from = lastData ? BigInt(lastData.part < lastData.parts ? lastData.fromPosition : lastData.toPosition) : 0n;
    const heads = new Map<string, SealedHead>();
    let to = from;
    let after = from;
    reading: while (after < head) {
      const page = await store.readAll({ after, maxCount: this.options.pageSize ?? 2000 });
      if (page.length === 0) break;
      for (const event of page) {
        if (event.position > head) break reading;
        if (event.streamId !== SEALS_STREAM) {
          if (!heads.has(event.streamId) && heads.size >= maxRound) break reading;
          heads.set(event.streamId, { stream: event.streamId, revision: event.revision, hash: storedHash(event) });
        }
        to = event.position;
      }
      after = page[page.length - 1]!.position;
    }
    if (heads.size === 0) return [];
    this.key ??= this.options.privateKey();
    const sorted = sortHeads([...heads.values()]);
    const parts = Math.ceil(sorted.length / maxHeads);
    const sealedAt = this.options.clock.now().toISOString();
    const made: SealSummary[] = [];
    for (let part = 1; part <= parts; part++) {
      const chunk = sorted.slice((part - 1) * maxHeads, part * maxHeads);
      const body: SealBody = {
        version: 1,
        sealedAt,
        fromPosition: from.toString(),
        toPosition: to.toString(),
        previousSeal: last ? storedHash(last) : GENESIS_HASH,
        streamCount: chunk.length,
        merkleRoot: merkleRoot(chunk),
        keyId: keyId(this.key),
        part,
        parts,
      };
      const signature = sign(null, Buffer.from(signedSealText(body), 'utf8'), this.key).toString('base64');
      const data = { ...body, heads: chunk, signature } as unknown as JsonObject;
      const metadata: JsonObject = { actorId: SEALER_ACTOR.id, actorRole: SEALER_ACTOR.role, occurredAt: sealedAt };
      const revision = last ? last.revision + 1 : 0;
      const chained = chainEvents(SEALS_STREAM, revision, storedHash(last ?? undefined), [{ type: SEAL_EVENT_TYPE, data, metadata }]);
      try {
        const appended = await store.append(SEALS_STREAM, chained, last ? last.revision : 'no_stream');
        made.push({ revision, position: appended.position, toPosition: to, streamCount: chunk.length, merkleRoot: body.merkleRoot });
        last = { ...chained[0]!, streamId: SEALS_STREAM, revision, position: appended.position, id: '', recordedAt: new Date() };
      } catch (error) {
        // Another process sealed meanwhile: its seals cover this range; the next round continues after them.
        if (error instanceof WrongExpectedVersionError) return made;
        throw error;
      }
    }
    return made;
  }
}
