import type { KeyObject } from 'node:crypto';
import { StreamNotFoundError, type EventStore, type Position, type RecordedEvent } from '@tracedesk/event-store';
import { storedHash, verifyChain, type ChainVerification } from './hash-chain.js';
import type { SealedHead } from './merkle-root.js';
import { sealData, sealProblem, SEALS_STREAM } from './seals.js';

/**
 * What an auditor gets for one stream: the chain check, then the seal check. A stream rewritten
 * consistently (every prevHash/hash recomputed) passes the chain check; only the signed seal,
 * which the rewriter cannot forge without the private key, tells.
 */
export interface HistoryVerificationResult extends ChainVerification {
  /** The head (last event) is the one a valid seal recorded: nothing after the last seal is unsealed. */
  sealed: boolean;
  /** The revision the latest valid seal of this stream recorded, or null when none did. */
  sealedRevision: number | null;
  /** Why the head is not covered by a valid seal (not sealed yet, a bad seal, no key), or null. */
  sealProblem: string | null;
}

export interface SealCheckInput {
  /** The latest seal event that lists the stream, or null. */
  seal: RecordedEvent | null;
  publicKey: KeyObject | null;
}

/** The seal's record of the stream, if the seal itself is valid; otherwise why not. */
function trustedHead(streamId: string, input: SealCheckInput): { head: SealedHead | null; problem: string | null; claimed: SealedHead | null } {
  if (!input.seal) return { head: null, problem: 'no seal covers this stream yet', claimed: null };
  const claimed = sealData(input.seal)?.heads.find((h) => h.stream === streamId) ?? null;
  if (!input.publicKey) return { head: null, problem: 'no seal public key is configured to check seals with', claimed: null };
  const problem = sealProblem(input.seal, input.publicKey);
  return problem ? { head: null, problem, claimed } : { head: claimed, problem: null, claimed };
}

/**
 * Chain check plus seal check of one stream's events (all of them, in revision order).
 * With a valid seal recording (R, H): a stream shorter than R+1 events is bad at its first
 * missing revision; a stored hash at R other than H is bad at R (the chain check alone cannot
 * say where a consistent rewrite began, only that the sealed head no longer matches). A seal
 * that does not verify makes the result bad at the revision it claims.
 */
export function verifyHistory(streamId: string, events: readonly RecordedEvent[], input: SealCheckInput): HistoryVerificationResult {
  const chain = verifyChain(streamId, events);
  const { head, problem, claimed } = trustedHead(streamId, input);
  if (!head) {
    const sealRejected = input.seal !== null && input.publicKey !== null && problem !== null;
    if (sealRejected && chain.ok) {
      return { ...chain, ok: false, firstBadRevision: claimed?.revision ?? events.length - 1, problem, sealed: false, sealedRevision: null, sealProblem: problem };
    }
    return { ...chain, ok: chain.ok && !sealRejected, sealed: false, sealedRevision: null, sealProblem: problem };
  }
  const bad = (revision: number, why: string): HistoryVerificationResult => {
    const first = chain.ok || (chain.firstBadRevision ?? Infinity) > revision ? { revision, why } : { revision: chain.firstBadRevision!, why: chain.problem! };
    return { ...chain, ok: false, firstBadRevision: first.revision, problem: first.why, sealed: false, sealedRevision: head.revision, sealProblem: why };
  };
  if (events.length <= head.revision) return bad(events.length, `a seal recorded revision ${head.revision}, the stream ends at ${events.length - 1} (events were removed)`);
  if (storedHash(events[head.revision]) !== head.hash) {
    return bad(head.revision, `revision ${head.revision} no longer has the hash the seal recorded (the stream was rewritten)`);
  }
  if (!chain.ok) return { ...chain, sealed: false, sealedRevision: head.revision, sealProblem: null };
  const sealed = head.revision === events.length - 1;
  return {
    ...chain,
    sealed,
    sealedRevision: head.revision,
    sealProblem: sealed ? null : `revisions ${head.revision + 1}..${events.length - 1} are not sealed yet`,
  };
}

/**
 * The latest seal listing `streamId`, reading the seals stream backwards. Seals cover
 * increasing positions, so the search stops at the first seal ending before the stream began.
 */
export async function latestSealOf(store: EventStore, streamId: string, streamStart: Position): Promise<RecordedEvent | null> {
  let from: number | undefined;
  for (;;) {
    let page: RecordedEvent[];
    try {
      page = await store.readStream(SEALS_STREAM, { direction: 'backwards', maxCount: 200, ...(from !== undefined && { fromRevision: from }) });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
    for (const event of page) {
      const seal = sealData(event);
      if (!seal) continue;
      if (BigInt(seal.toPosition) < streamStart) return null;
      if (seal.heads.some((h) => h.stream === streamId)) return event;
    }
    const last = page[page.length - 1];
    if (!last || last.revision === 0) return null;
    from = last.revision - 1;
  }
}

/** Reads a stream and verifies it (chain and seal); `null` when the stream does not exist. */
export async function verifyStreamHistory(store: EventStore, streamId: string, publicKey: KeyObject | null): Promise<HistoryVerificationResult | null> {
  let events: RecordedEvent[];
  try {
    events = await store.readStream(streamId);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return null;
    throw error;
  }
  if (events.length === 0) return null;
  const seal = await latestSealOf(store, streamId, events[0]!.position);
  return verifyHistory(streamId, events, { seal, publicKey });
}
