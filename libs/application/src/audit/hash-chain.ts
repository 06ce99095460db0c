import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { JsonObject, JsonValue } from '@tracedesk/event-store';

/**
 * The tamper-evident chain of a stream. Every event's metadata carries `prevHash` (the hash of
 * the stream's previous event; 64 zeros for revision 0) and `hash`:
 *
 *   hash = hex(SHA-256(UTF-8(JCS({ stream, revision, type, data, metadata without "hash" }))))
 *
 * where JCS is the JSON Canonicalization Scheme (RFC 8785: keys sorted by UTF-16 code units,
 * ECMAScript number formatting, minimal string escaping). Because `prevHash` is inside the
 * hashed metadata, changing, removing or reordering any event breaks every link after it.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface HashableEvent {
  streamId: string;
  revision: number;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

/** The canonical text that is hashed, for outside tools to recompute. */
export function canonicalEventText(event: HashableEvent): string {
  const { hash: _hash, ...metadata } = event.metadata;
  const text = canonicalize({ stream: event.streamId, revision: event.revision, type: event.type, data: event.data, metadata } as JsonValue);
  if (text === undefined) throw new Error('event is not canonicalizable JSON');
  return text;
}

export function eventHash(event: HashableEvent): string {
  return createHash('sha256').update(canonicalEventText(event), 'utf8').digest('hex');
}

/** Adds `prevHash` and `hash` to the metadata of events about to be appended at `firstRevision`. */
export function chainEvents(
  streamId: string,
  firstRevision: number,
  previousHash: string,
  events: ReadonlyArray<{ type: string; data: JsonObject; metadata: JsonObject }>,
): Array<{ type: string; data: JsonObject; metadata: JsonObject }> {
  let prevHash = previousHash;
  return events.map((event, i) => {
    const metadata: JsonObject = { ...event.metadata, prevHash };
    const hash = eventHash({ streamId, revision: firstRevision + i, type: event.type, data: event.data, metadata });
    prevHash = hash;
    return { type: event.type, data: event.data, metadata: { ...metadata, hash } };
  });
}

/** The `hash` of a stored event, or the genesis hash for "no event". */
export function storedHash(event: { metadata: JsonObject } | undefined): string {
  const hash = event?.metadata['hash'];
  return typeof hash === 'string' ? hash : GENESIS_HASH;
}

export interface ChainVerification {
  ok: boolean;
  checkedEvents: number;
  /** The first revision whose event is missing, moved, altered or not linked to its predecessor. */
  firstBadRevision: number | null;
  problem: string | null;
}

/** Recomputes a stream's chain from its first event. */
export function verifyChain(streamId: string, events: ReadonlyArray<HashableEvent & { position?: bigint }>): ChainVerification {
  let prevHash = GENESIS_HASH;
  let previousPosition: bigint | null = null;
  for (const [i, event] of events.entries()) {
    const bad = (problem: string): ChainVerification => ({ ok: false, checkedEvents: i + 1, firstBadRevision: i, problem });
    if (event.revision !== i) return bad(`expected revision ${i} here, found ${event.revision} (an event is missing or moved)`);
    if (event.streamId !== streamId) return bad(`event belongs to stream ${event.streamId}`);
    if (event.position !== undefined && previousPosition !== null && event.position <= previousPosition) {
      return bad('global positions are out of order');
    }
    if (event.metadata['prevHash'] !== prevHash) return bad('prevHash does not match the previous event (an event before it was changed, removed or reordered)');
    const hash = eventHash(event);
    if (event.metadata['hash'] !== hash) return bad('hash does not match the event (its type, data or metadata was changed)');
    prevHash = hash;
    previousPosition = event.position ?? previousPosition;
  }
  return { ok: true, checkedEvents: events.length, firstBadRevision: null, problem: null };
}
