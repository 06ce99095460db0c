import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** One stream's head as a seal records it. */
export interface SealedHead {
  stream: string;
  revision: number;
  hash: string;
}

/**
 * The Merkle tree hash of RFC 6962 (Certificate Transparency, section 2.1), so any CT tooling
 * or a ten-line script recomputes it:
 *
 *   leaf(h)  = SHA-256(0x00 || UTF-8(JCS({ "hash": h.hash, "revision": h.revision, "stream": h.stream })))
 *   node(ab) = SHA-256(0x01 || MTH(a) || MTH(b))    (raw 32-byte digests)
 *   MTH of n > 1 leaves splits at k, the largest power of two below n: node(MTH(D[0:k]), MTH(D[k:n]))
 *
 * Heads are ordered by stream id (JavaScript string order: UTF-16 code units) before hashing.
 * The 0x00 / 0x01 prefixes keep a leaf from ever being passed off as an inner node.
 */
export function merkleRoot(heads: readonly SealedHead[]): string {
  if (heads.length === 0) return createHash('sha256').digest('hex');
  const sorted = sortHeads(heads);
  return tree(sorted.map(leafHash), 0, sorted.length).toString('hex');
}

export function sortHeads(heads: readonly SealedHead[]): SealedHead[] {
  return [...heads].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
}

export function leafHash(head: SealedHead): Buffer {
  const text = canonicalize({ hash: head.hash, revision: head.revision, stream: head.stream })!;
  return createHash('sha256').update(Buffer.from([0])).update(text, 'utf8').digest();
}

function tree(leaves: readonly Buffer[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 1) return leaves[from]!;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(tree(leaves, from, from + k))
    .update(tree(leaves, from + k, to))
    .digest();
}
