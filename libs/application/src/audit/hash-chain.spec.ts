import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { openWorkedTicket, startApplication, type ApplicationHarness } from '../testing/application.harness.js';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import type { JsonObject, JsonValue } from '@tracedesk/event-store';
import { canonicalEventText, carriesHash, chainEvents, eventHash, GENESIS_HASH, inCanonicalOrder, storedTextCarriesHash, verifyChain } from './hash-chain.js';

describe('hash chain of ticket histories', () => {
  let h: ApplicationHarness;
  let stream: string;

  beforeEach(async () => {
    h = await startApplication();
    ({ stream } = await openWorkedTicket(h, 'Черный экран 🎬'));
  });
  afterEach(async () => {
    await h.close();
  });

  const db = (): Database.Database => (h.store as unknown as { db: Database.Database }).db;
  const verify = async () => verifyChain(stream, await h.store.readStream(stream));

  it('every event links to the previous one, from the genesis hash', async () => {
    const events = await h.store.readStream(stream);
    expect(events.length).toBeGreaterThanOrEqual(6);
    expect(events[0]!.metadata['prevHash']).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i]!.metadata['prevHash']).toBe(events[i - 1]!.metadata['hash']);
    expect(await verify()).toEqual({ ok: true, checkedEvents: events.length, firstBadRevision: null, problem: null });
  });

  it('the hash is SHA-256 of the documented canonical form, recomputable by an outside tool', async () => {
    const [first] = await h.store.readStream(stream);
    const text = canonicalEventText(first!);
    // Keys sorted, no whitespace, "hash" left out of the metadata.
    expect(text.startsWith('{"data":{')).toBe(true);
    expect(text).toContain(`"stream":"${stream}"`);
    expect(text).not.toContain('"hash":');
    expect(createHash('sha256').update(text, 'utf8').digest('hex')).toBe(first!.metadata['hash']);
    expect(eventHash(first!)).toBe(first!.metadata['hash']);
  });

  it('detects one changed byte of an event’s data in the database file, at its revision', async () => {
    db().prepare(`UPDATE events SET data = replace(data, 'Looking', 'Lookinh') WHERE stream_id = ? AND type = 'AgentReplied'`).run(stream);
    const replied = (await h.store.readStream(stream)).find((e) => e.type === 'AgentReplied')!;
    expect(await verify()).toMatchObject({ ok: false, firstBadRevision: replied.revision });
  });

  it('detects a deleted event', async () => {
    db().prepare('DELETE FROM events WHERE stream_id = ? AND revision = 2').run(stream);
    expect(await verify()).toMatchObject({ ok: false, firstBadRevision: 2 });
  });

  it('detects two events swapped', async () => {
    const rows = db().prepare('SELECT position, type, data, metadata FROM events WHERE stream_id = ? AND revision IN (1, 2) ORDER BY revision').all(stream) as Array<{
      position: number;
      type: string;
      data: string;
      metadata: string;
    }>;
    const update = db().prepare('UPDATE events SET type = ?, data = ?, metadata = ? WHERE position = ?');
    db().transaction(() => {
      update.run(rows[1]!.type, rows[1]!.data, rows[1]!.metadata, rows[0]!.position);
      update.run(rows[0]!.type, rows[0]!.data, rows[0]!.metadata, rows[1]!.position);
    })();
    expect(await verify()).toMatchObject({ ok: false, firstBadRevision: 1 });
  });

  it('detects a changed actor in the metadata', async () => {
    db().prepare(`UPDATE events SET metadata = replace(metadata, '"actorId":"agent-alice"', '"actorId":"mallory"') WHERE stream_id = ? AND revision = 3`).run(stream);
    expect(await verify()).toMatchObject({ ok: false, firstBadRevision: 3 });
  });
});

describe('canonical key order', () => {
  it('JSON.stringify of a value in canonical order is its RFC 8785 text (the canonicalize package)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'grapheme', maxDepth: 4 }), (value) => {
        expect(JSON.stringify(inCanonicalOrder(value as JsonValue))).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a "__proto__" key as data', () => {
    const value = JSON.parse('{"b":1,"__proto__":{"x":1}}') as JsonValue;
    expect(JSON.stringify(inCanonicalOrder(value))).toBe('{"__proto__":{"x":1},"b":1}');
  });

  it('refuses what RFC 8785 refuses: a lone surrogate, a non-finite number', () => {
    expect(() => inCanonicalOrder({ title: 'a\ud800b' })).toThrow(/lone surrogate/);
    expect(() => inCanonicalOrder({ n: Number.POSITIVE_INFINITY })).toThrow(/non-finite/);
  });

  const event = { streamId: 'ticket-T-1', revision: 0, type: 'TicketOpened', data: { b: 1, a: { y: 'é', x: [2, 1] } } as JsonObject };
  const hashed = (metadata: JsonObject) => ({ ...event, metadata: { ...metadata, hash: eventHash({ ...event, metadata }) } });

  it('accepts the recorded hash whatever order the keys were stored in, and nothing altered', () => {
    const stored = hashed({ prevHash: GENESIS_HASH, actorId: 'alice' });
    expect(carriesHash(stored, stored.metadata.hash)).toBe(true);
    const canonical = { ...stored, data: inCanonicalOrder(stored.data), metadata: inCanonicalOrder(stored.metadata) };
    expect(carriesHash(canonical, stored.metadata.hash)).toBe(true);
    for (const altered of [
      { ...canonical, data: { ...canonical.data, b: 2 } },
      { ...canonical, revision: 1 },
      { ...canonical, streamId: 'ticket-T-2' },
      { ...canonical, type: 'TicketClosed' },
      { ...canonical, metadata: { ...canonical.metadata, actorId: 'mallory' } },
    ]) {
      expect(carriesHash(altered, stored.metadata.hash)).toBe(false);
    }
    expect(carriesHash(canonical, undefined)).toBe(false);
  });
});

describe('proof from the stored text', () => {
  const [chained] = chainEvents('ticket-T-9', 4, 'a'.repeat(64), [
    { type: 'AgentReplied', data: { body: 'Hé "quoted" \\ text', authorId: 'alice', at: '2026-11-23T07:00:00.000Z' }, metadata: { actorId: 'alice', command: 'ReplyToTicket' } },
  ]);
  const hash = chained!.metadata['hash'] as string;
  const stored = { streamId: 'ticket-T-9', revision: 4, type: 'AgentReplied', data: JSON.stringify(chained!.data), metadata: JSON.stringify(chained!.metadata) };

  it('proves an event stored as the application stores it', () => {
    expect(storedTextCarriesHash(stored, hash)).toBe(true);
  });

  it('does not prove an altered one: data, metadata, revision, stream, type, or the hash member moved', () => {
    expect(storedTextCarriesHash({ ...stored, data: stored.data.replace('alice', 'mallo') }, hash)).toBe(false);
    expect(storedTextCarriesHash({ ...stored, metadata: stored.metadata.replace('"actorId":"alice"', '"actorId":"mallo"') }, hash)).toBe(false);
    expect(storedTextCarriesHash({ ...stored, revision: 5 }, hash)).toBe(false);
    expect(storedTextCarriesHash({ ...stored, streamId: 'ticket-T-8' }, hash)).toBe(false);
    expect(storedTextCarriesHash({ ...stored, type: 'InternalNoteAdded' }, hash)).toBe(false);
    expect(storedTextCarriesHash({ ...stored, metadata: stored.metadata.replace(`"hash":"${hash}"`, `"hash":"${'0'.repeat(64)}"`) }, hash)).toBe(false);
  });

  it('leaves an intact event stored in another key order to the full check', () => {
    const shuffled = { ...stored, data: JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(stored.data) as JsonObject).reverse())) };
    expect(storedTextCarriesHash(shuffled, hash)).toBe(false);
    expect(carriesHash({ ...shuffled, data: JSON.parse(shuffled.data) as JsonObject, metadata: JSON.parse(shuffled.metadata) as JsonObject }, hash)).toBe(true);
  });
});

