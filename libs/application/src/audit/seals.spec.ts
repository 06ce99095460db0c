import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import { SqliteEventStore, type JsonObject } from '@tracedesk/event-store';
import { ManualClock } from '../shared/clock.js';
import { chainEvents, GENESIS_HASH } from './hash-chain.js';
import { merkleRoot, type SealedHead } from './merkle-root.js';
import { keyId, loadSealPrivateKey, loadSealPublicKey, publicKeyPem, SEAL_KEY_FILE } from './seal-keys.js';
import { verifyLog } from './log-verification.js';
import { sealData, Sealer, sealProblem, SEALS_STREAM, signedSealText } from './seals.js';

const sha = (...parts: Buffer[]): Buffer => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
const leaf = (h: SealedHead): Buffer => sha(Buffer.from([0]), Buffer.from(canonicalize({ hash: h.hash, revision: h.revision, stream: h.stream })!));
const node = (a: Buffer, b: Buffer): Buffer => sha(Buffer.from([1]), a, b);

describe('Merkle root of sealed heads (RFC 6962 tree hash)', () => {
  const heads: SealedHead[] = ['c', 'a', 'b'].map((s, i) => ({ stream: `ticket-${s}`, revision: i, hash: String(i).repeat(64) }));

  it('matches a hand-built tree: sorted by stream, leaves prefixed 0x00, nodes 0x01, split at the largest power of two', () => {
    const [a, b, c] = [heads[1]!, heads[2]!, heads[0]!].map(leaf);
    expect(merkleRoot(heads)).toBe(node(node(a!, b!), c!).toString('hex'));
    expect(merkleRoot([heads[0]!])).toBe(leaf(heads[0]!).toString('hex'));
  });

  it('changes with any head', () => {
    expect(merkleRoot([...heads.slice(1), { ...heads[0]!, revision: 7 }])).not.toBe(merkleRoot(heads));
  });
});

describe('seal keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracedesk-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates DATA_DIR/seal-key.pem once, readable by its owner only', () => {
    expect(loadSealPrivateKey({ dataDir: dir }, { create: false })).toBeNull();
    expect(loadSealPublicKey({ dataDir: dir })).toBeNull();
    const key = loadSealPrivateKey({ dataDir: dir })!;
    expect(statSync(join(dir, SEAL_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(keyId(loadSealPrivateKey({ dataDir: dir })!)).toBe(keyId(key));
    expect(publicKeyPem(loadSealPublicKey({ dataDir: dir })!)).toBe(publicKeyPem(key));
  });

  it('takes SEAL_PRIVATE_KEY / SEAL_PUBLIC_KEY as PEM and refuses non-Ed25519 keys', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(keyId(loadSealPrivateKey({ dataDir: dir, sealPrivateKey: pem })!)).toBe(keyId(publicKey));
    expect(keyId(loadSealPublicKey({ dataDir: dir, sealPublicKey: publicKeyPem(publicKey) })!)).toBe(keyId(publicKey));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadSealPrivateKey({ dataDir: dir, sealPrivateKey: rsa })).toThrow(/Ed25519/);
    expect(() => loadSealPrivateKey({ dataDir: dir, sealPrivateKey: 'nonsense' })).toThrow(/not a PEM/);
  });
});

describe('Sealer', () => {
  let dir: string;
  let store: SqliteEventStore;
  let sealer: Sealer;
  const clock = new ManualClock('2026-11-23T07:00:00.000Z');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  const append = async (stream: string, n: number): Promise<void> => {
    const head = await store.streamHead(stream);
    const previous = head ? (await store.readStream(stream, { fromRevision: head.revision }))[0]!.metadata['hash'] as string : GENESIS_HASH;
    const events = Array.from({ length: n }, (_, i) => ({ type: 'Noted', data: { i } as JsonObject, metadata: { actorId: 'a', actorRole: 'agent' } as JsonObject }));
    await store.append(stream, chainEvents(stream, (head?.revision ?? -1) + 1, previous, events), head ? head.revision : 'no_stream');
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracedesk-seals-'));
    store = new SqliteEventStore({ path: join(dir, 'events.db') });
    sealer = new Sealer({ store, clock, privateKey: () => privateKey });
  });
  afterEach(async () => {
    await sealer.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends nothing when nothing changed', async () => {
    expect(await sealer.sealNow()).toEqual([]);
    await append('ticket-A', 2);
    expect(await sealer.sealNow()).toHaveLength(1);
    expect(await sealer.sealNow()).toEqual([]); // its own seal is not a change
    expect(await store.readStream(SEALS_STREAM)).toHaveLength(1);
  });

  it('seals the heads changed since the last seal, chained, signed over the documented text', async () => {
    await append('ticket-A', 3);
    await append('ticket-B', 1);
    const [first] = await sealer.sealNow();
    await append('ticket-B', 2);
    clock.advance(60_000);
    const [second] = await sealer.sealNow();
    const seals = await store.readStream(SEALS_STREAM);
    const [s0, s1] = seals.map((e) => sealData(e)!);
    expect(s0!.heads.map((h) => [h.stream, h.revision])).toEqual([['ticket-A', 2], ['ticket-B', 0]]);
    expect(s0).toMatchObject({ fromPosition: '0', toPosition: '4', previousSeal: GENESIS_HASH, streamCount: 2, keyId: keyId(publicKey) });
    expect(s1!.heads.map((h) => [h.stream, h.revision])).toEqual([['ticket-B', 2]]);
    expect(s1).toMatchObject({ fromPosition: '4', toPosition: String(first!.position + 2n), previousSeal: seals[0]!.metadata['hash'], sealedAt: '2026-11-23T07:01:00.000Z' });
    expect(second!.merkleRoot).toBe(s1!.merkleRoot);
    // An outsider checks the signature with the public key over JCS of the body.
    expect(verify(null, Buffer.from(signedSealText(s1!)), publicKey, Buffer.from(s1!.signature, 'base64'))).toBe(true);
    expect(seals.map((e) => sealProblem(e, publicKey))).toEqual([null, null]);
  });

  it('rejects an altered seal, a seal signed with another key and a seal whose heads were changed', async () => {
    await append('ticket-A', 1);
    await sealer.sealNow();
    const [seal] = await store.readStream(SEALS_STREAM);
    const data = seal!.data as unknown as { heads: SealedHead[]; toPosition: string };
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(sealProblem(seal!, other)).toMatch(/another key/);
    expect(sealProblem({ ...seal!, data: { ...seal!.data, toPosition: '99' } }, publicKey)).toMatch(/signature does not verify/);
    const heads = [{ ...data.heads[0]!, hash: 'f'.repeat(64) }];
    expect(sealProblem({ ...seal!, data: { ...seal!.data, heads } as unknown as JsonObject }, publicKey)).toMatch(/Merkle root/);
  });

  it('splits a round over many streams into several seal events of the same range, each head once', async () => {
    for (let round = 0; round < 2; round++) for (let i = 0; i < 5; i++) await append(`ticket-${i}`, 1);
    const small = new Sealer({ store, clock, privateKey: () => privateKey, maxHeadsPerSeal: 2, pageSize: 3 });
    const made = await small.sealNow();
    expect(made.map((s) => s.streamCount)).toEqual([2, 2, 1]);
    const seals = (await store.readStream(SEALS_STREAM)).map((e) => sealData(e)!);
    expect(seals.map((s) => [s.fromPosition, s.toPosition, s.part, s.parts])).toEqual([['0', '10', 1, 3], ['0', '10', 2, 3], ['0', '10', 3, 3]]);
    expect(seals.flatMap((s) => s.heads.map((h) => [h.stream, h.revision]))).toEqual([0, 1, 2, 3, 4].map((i) => [`ticket-${i}`, 1]));
  });

  it('a round cut short is sealed again whole, and the seals stream still verifies', async () => {
    for (let i = 0; i < 5; i++) await append(`ticket-${i}`, 1);
    // A store that fails the sealer's second append: the process died after part 1 of 3.
    let seals = 0;
    const dying = new Proxy(store, {
      get(target, key, receiver) {
        if (key !== 'append') return Reflect.get(target, key, receiver) as unknown;
        return (stream: string, ...rest: unknown[]) => {
          if (stream === SEALS_STREAM && ++seals === 2) return Promise.reject(new Error('killed'));
          return (target.append as (...args: unknown[]) => unknown).call(target, stream, ...rest);
        };
      },
    });
    await expect(new Sealer({ store: dying, clock, privateKey: () => privateKey, maxHeadsPerSeal: 2 }).sealNow()).rejects.toThrow('killed');
    await append('ticket-9', 1);
    await new Sealer({ store, clock, privateKey: () => privateKey, maxHeadsPerSeal: 2 }).sealNow();
    const all = (await store.readStream(SEALS_STREAM)).map((e) => sealData(e)!);
    expect(all.map((s) => [s.fromPosition, s.toPosition, s.part, s.parts])).toEqual([['0', '5', 1, 3], ['0', '7', 1, 3], ['0', '7', 2, 3], ['0', '7', 3, 3]]);
    const report = await verifyLog({ store, publicKey });
    expect(report).toMatchObject({ ok: true, sealProblems: [], seals: 4, sealedStreams: 6 });
  });

  it('reports a missing part of a round', async () => {
    for (let i = 0; i < 5; i++) await append(`ticket-${i}`, 1);
    await new Sealer({ store, clock, privateKey: () => privateKey, maxHeadsPerSeal: 2 }).sealNow();
    (store as unknown as { db: import('better-sqlite3').Database }).db.prepare(`DELETE FROM events WHERE stream_id = ? AND revision = 1`).run(SEALS_STREAM);
    const report = await verifyLog({ store, publicKey });
    expect(report.ok).toBe(false);
    expect(report.sealProblems.join(' ')).toMatch(/does not follow/);
  });

  it('bounds a round by streams: a larger backlog is sealed in several rounds', async () => {
    for (let i = 0; i < 5; i++) await append(`ticket-${i}`, 1);
    const bounded = new Sealer({ store, clock, privateKey: () => privateKey, maxHeadsPerSeal: 2, maxHeadsPerRound: 3 });
    await bounded.sealNow();
    const seals = (await store.readStream(SEALS_STREAM)).map((e) => sealData(e)!);
    expect(seals.map((s) => [s.fromPosition, s.toPosition, s.part, s.parts])).toEqual([['0', '3', 1, 2], ['0', '3', 2, 2], ['3', '5', 1, 1]]);
  });

  it('start() seals on the interval and stop() waits for the seal in flight', async () => {
    await append('ticket-A', 1);
    sealer.start(1_000_000);
    const inFlight = sealer.sealNow();
    await sealer.stop();
    expect(await inFlight).toHaveLength(1);
  });
});
