import type { EventStore, Position } from '@tracedesk/event-store';
import { carriesHash, storedHash } from './hash-chain.js';
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
    const page = await store.readAll({ after: cursor, maxCount: pageSize });
    let inRange = 0;
    for (const event of page) {
      if (event.position > to) break;
      inRange++;
      const hash = storedHash(event);
      const prevHash = typeof event.metadata['prevHash'] === 'string' ? event.metadata['prevHash'] : '';
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
      if (!carriesHash(event, event.metadata['hash'])) {
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
