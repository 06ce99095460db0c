import { SqliteEventStore, type EventStore, type JsonObject, type Position, type StoredEvent } from '@tracedesk/event-store';
import { carriesHash, storedTextCarriesHash } from './hash-chain.js';
import type { SealedHead } from './merkle-root.js';

/** What one position range says about one stream; ranges are stitched together in order. */
export interface StreamSegment {
  firstRevision: number;
  firstPrevHash: string;
  lastRevision: number;
  lastHash: string;
  /** The first bad event inside the range (its links to earlier ranges are checked when stitching). */
  bad: { revision: number; problem: string } | null;
}

export interface SegmentResult {
  events: number;
  streams: Map<string, StreamSegment>;
}

/** Trusted heads from valid seals, by stream: the stored hash at that revision must match. */
export type SealedHeads = ReadonlyMap<string, Pick<SealedHead, 'revision' | 'hash'>>;

/** One event of a page, with the check of its hash. */
interface Checkable {
  position: bigint;
  streamId: string;
  revision: number;
  hash: string;
  prevHash: string;
  carriesHash(): boolean;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function parseObject(json: string): JsonObject | null {
  try {
    const value = JSON.parse(json) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
  } catch {
    return null;
  }
}

/** From stored text: proven from the text when it is canonical, else parsed and canonicalized. */
function storedCheckable(stored: StoredEvent): Checkable {
  const metadata = parseObject(stored.metadata) ?? {};
  const hash = text(metadata['hash']);
  return {
    position: stored.position,
    streamId: stored.streamId,
    revision: stored.revision,
    hash,
    prevHash: text(metadata['prevHash']),
    carriesHash: () => {
      if (storedTextCarriesHash(stored, hash)) return true;
      const data = parseObject(stored.data);
      return data !== null && carriesHash({ ...stored, data, metadata }, hash);
    },
  };
}

/**
 * A page of the log. The embedded store hands out its stored text, which spares parsing every
 * event's data (most of the cost of a whole-log check); other stores go through the port.
 */
async function readPage(store: EventStore, after: Position, maxCount: number): Promise<Checkable[]> {
  if (store instanceof SqliteEventStore) return store.readAllStored(after, maxCount).map(storedCheckable);
  return (await store.readAll({ after, maxCount })).map((event) => ({
    position: event.position,
    streamId: event.streamId,
    revision: event.revision,
    hash: text(event.metadata['hash']),
    prevHash: text(event.metadata['prevHash']),
    carriesHash: () => carriesHash(event, event.metadata['hash']),
  }));
}

/**
 * Verifies the events with positions in (after, to]: each event's hash recomputed from its
 * canonical form, links and revisions inside the range, stored hashes at sealed revisions.
 * Independent of other ranges, so ranges run in parallel (worker threads) and are stitched after.
 */
export async function verifySegment(
  store: EventStore,
  after: Position,
  to: Position,
  sealed: SealedHeads,
  onPage?: (events: number) => void,
  pageSize = 2000,
): Promise<SegmentResult> {
  const streams = new Map<string, StreamSegment>();
  let cursor = after;
  let count = 0;
  for (;;) {
    const page = await readPage(store, cursor, pageSize);
    let inRange = 0;
    for (const event of page) {
      if (event.position > to) break;
      inRange++;
      const { hash, prevHash } = event;
      let segment = streams.get(event.streamId);
      if (!segment) {
        segment = { firstRevision: event.revision, firstPrevHash: prevHash, lastRevision: event.revision, lastHash: hash, bad: null };
        streams.set(event.streamId, segment);
      } else {
        if (segment.bad) continue;
        if (event.revision !== segment.lastRevision + 1) {
          segment.bad = { revision: segment.lastRevision + 1, problem: `expected revision ${segment.lastRevision + 1} here, found ${event.revision} (an event is missing or moved)` };
          continue;
        }
        if (prevHash !== segment.lastHash) {
          segment.bad = { revision: event.revision, problem: 'prevHash does not match the previous event (an event before it was changed, removed or reordered)' };
          continue;
        }
        segment.lastRevision = event.revision;
        segment.lastHash = hash;
      }
      if (!event.carriesHash()) {
        segment.bad = { revision: event.revision, problem: 'hash does not match the event (its type, data or metadata was changed)' };
        continue;
      }
      const seal = sealed.get(event.streamId);
      if (seal && seal.revision === event.revision && seal.hash !== hash) {
        segment.bad = { revision: event.revision, problem: `revision ${event.revision} no longer has the hash the seal recorded (the stream was rewritten)` };
      }
    }
    count += inRange;
    onPage?.(inRange);
    const last = page[page.length - 1];
    if (!last || inRange < page.length || last.position >= to) break;
    cursor = last.position;
  }
  return { events: count, streams };
}
