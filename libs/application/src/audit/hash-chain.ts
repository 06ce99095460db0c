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

/** The canonical text that is hashed, for outside tools to recompute (the reference: the `canonicalize` package). */
export function canonicalEventText(event: HashableEvent): string {
  const { hash: _hash, ...metadata } = event.metadata;
  const text = canonicalize({ stream: event.streamId, revision: event.revision, type: event.type, data: event.data, metadata } as JsonValue);
  if (text === undefined) throw new Error('event is not canonicalizable JSON');
  return text;
}

export function eventHash(event: HashableEvent): string {
  return sha256(canonicalEventText(event));
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The value with the keys of every object in RFC 8785 order (UTF-16 code units, what `sort()`
 * does). `JSON.stringify` of such a value is its RFC 8785 text: the scheme was designed so, its
 * numbers and strings being ECMAScript's. What RFC 8785 refuses (lone surrogates, non-finite
 * numbers) is refused here too.
 */
export function inCanonicalOrder<T extends JsonValue>(value: T): T {
  if (typeof value === 'string') {
    if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) throw new TypeError('a string with a lone surrogate has no canonical form');
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('a non-finite number has no canonical form');
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => inCanonicalOrder(item)) as T;
  const sorted: Record<string, JsonValue> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, JsonValue | undefined>)[key];
    if (item === undefined) continue;
    // Assigning "__proto__" would set the prototype: define it as the data property it is.
    if (key === '__proto__') Object.defineProperty(sorted, key, { value: inCanonicalOrder(item), enumerable: true, writable: true, configurable: true });
    else sorted[key] = inCanonicalOrder(item);
  }
  return sorted as T;
}

/**
 * Does the event carry `hash`? First the quick way: serialize the event as it was read, with the
 * keys in the order they were stored. Events are stored in canonical order (`chainEvents`), so
 * this is normally the canonical text itself, and a matching SHA-256 proves the event is the one
 * hashed (the text is fixed by the hash). Otherwise (stored in another key order, or altered)
 * the canonical text is computed from scratch, which decides.
 */
export function carriesHash(event: HashableEvent, hash: unknown): boolean {
  if (typeof hash !== 'string') return false;
  const { hash: _hash, ...metadata } = event.metadata;
  const asStored = JSON.stringify({ data: event.data, metadata, revision: event.revision, stream: event.streamId, type: event.type });
  return sha256(asStored) === hash || eventHash(event) === hash;
}

/**
 * `carriesHash` on an event's stored JSON text, without parsing its data: the canonical text is
 * put together from the stored texts, with the `"hash"` member cut out of the metadata. Events
 * are stored in canonical key order, so for an intact event this is the text that was hashed.
 * A match proves the stored texts are that event's (the SHA-256 fixes the text). False means
 * only "not proven this way": parse the event and ask `carriesHash`.
 */
export function storedTextCarriesHash(event: { streamId: string; revision: number; type: string; data: string; metadata: string }, hash: string): boolean {
  const member = `"hash":${JSON.stringify(hash)}`;
  const at = event.metadata.indexOf(member);
  if (at < 1) return false;
  const end = at + member.length;
  let metadata: string;
  if (event.metadata[at - 1] === ',') metadata = event.metadata.slice(0, at - 1) + event.metadata.slice(end);
  else if (event.metadata[end] === ',') metadata = event.metadata.slice(0, at) + event.metadata.slice(end + 1);
  else metadata = event.metadata.slice(0, at) + event.metadata.slice(end);
  const text = `{"data":${event.data},"metadata":${metadata},"revision":${event.revision},"stream":${JSON.stringify(event.streamId)},"type":${JSON.stringify(event.type)}}`;
  return sha256(text) === hash;
}

/**
 * Adds `prevHash` and `hash` to the metadata of events about to be appended at `firstRevision`,
 * and puts data and metadata in canonical key order, so the stored JSON is the canonical text
 * and verification can check it without re-canonicalizing (`carriesHash`).
 */
export function chainEvents(
  streamId: string,
  firstRevision: number,
  previousHash: string,
  events: ReadonlyArray<{ type: string; data: JsonObject; metadata: JsonObject }>,
): Array<{ type: string; data: JsonObject; metadata: JsonObject }> {
  let prevHash = previousHash;
  return events.map((event, i) => {
    const data = inCanonicalOrder(event.data);
    const metadata = inCanonicalOrder({ ...event.metadata, prevHash });
    const hash = sha256(JSON.stringify({ data, metadata, revision: firstRevision + i, stream: streamId, type: event.type }));
    prevHash = hash;
    return { type: event.type, data, metadata: inCanonicalOrder({ ...metadata, hash }) };
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
    const hash = event.metadata['hash'];
    if (!carriesHash(event, hash)) return bad('hash does not match the event (its type, data or metadata was changed)');
    prevHash = hash as string;
    previousPosition = event.position ?? previousPosition;
  }
  return { ok: true, checkedEvents: events.length, firstBadRevision: null, problem: null };
}
