import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { createHash, generateKeyPairSync } from 'node:crypto';
import canonicalize from 'canonicalize';
import { openWorkedTicket, roles, startApplication, type ApplicationHarness } from '../testing/application.harness.js';
import { ReplyToTicketCommand } from '../tickets/reply-to-ticket/reply-to-ticket.command.js';
import { verifyChain } from './hash-chain.js';
import { verifyStreamHistory } from './history-verification.js';
import { verifyLog } from './log-verification.js';
import { Sealer, SEALS_STREAM } from './seals.js';

/**
 * Someone with write access to the SQLite file, but not the seal key, alters a sealed ticket:
 * each change is found, at its first bad revision, by the one-ticket check and the whole-log check.
 */
describe('tamper detection against the SQLite file', () => {
  let h: ApplicationHarness;
  let ticketId: string;
  let stream: string;
  let sealedHead: number;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  beforeEach(async () => {
    h = await startApplication();
    ({ ticketId, stream } = await openWorkedTicket(h));
    await new Sealer({ store: h.store, clock: h.clock, privateKey: () => privateKey }).sealNow();
    sealedHead = (await h.store.streamHead(stream))!.revision;
  });
  afterEach(async () => {
    await h.close();
  });

  const db = (): Database.Database => (h.store as unknown as { db: Database.Database }).db;
  const verifyOne = () => verifyStreamHistory(h.store, stream, publicKey);
  // Three ranges, so links across range boundaries are checked too.
  const verifyAll = () => verifyLog({ store: h.store, publicKey, workers: 3 });

  it('an untouched sealed ticket verifies, its head covered by the seal; later events are reported unsealed', async () => {
    expect(await verifyOne()).toMatchObject({ ok: true, firstBadRevision: null, sealed: true, sealedRevision: sealedHead, sealProblem: null });
    expect(await verifyAll()).toMatchObject({ ok: true, failures: [], seals: 1, sealProblems: [] });
    await h.commands.execute(new ReplyToTicketCommand({ ticketId, body: 'Still looking' }, { actor: roles.agent }));
    expect(await verifyOne()).toMatchObject({ ok: true, sealed: false, sealedRevision: sealedHead, sealProblem: expect.stringMatching(/not sealed yet/) });
  });

  it('without a public key the chain is still checked, and the seal is reported unchecked', async () => {
    expect(await verifyStreamHistory(h.store, stream, null)).toMatchObject({ ok: true, sealed: false, sealProblem: expect.stringMatching(/no seal public key/) });
  });

  it('one changed byte of an event’s data', async () => {
    db().prepare(`UPDATE events SET data = replace(data, 'Looking', 'Lookinh') WHERE stream_id = ? AND type = 'AgentReplied'`).run(stream);
    const replied = (await h.store.readStream(stream)).find((e) => e.type === 'AgentReplied')!;
    expect(await verifyOne()).toMatchObject({ ok: false, firstBadRevision: replied.revision });
    expect((await verifyAll()).failures).toEqual([expect.objectContaining({ streamId: stream, firstBadRevision: replied.revision })]);
  });

  it('a deleted event', async () => {
    db().prepare('DELETE FROM events WHERE stream_id = ? AND revision = 2').run(stream);
    expect(await verifyOne()).toMatchObject({ ok: false, firstBadRevision: 2 });
    expect((await verifyAll()).failures).toEqual([expect.objectContaining({ streamId: stream, firstBadRevision: 2 })]);
  });

  it('the last events deleted (the chain alone still holds; the seal does not)', async () => {
    db().prepare('DELETE FROM events WHERE stream_id = ? AND revision >= ?').run(stream, sealedHead - 1);
    expect(verifyChain(stream, await h.store.readStream(stream)).ok).toBe(true);
    expect(await verifyOne()).toMatchObject({ ok: false, firstBadRevision: sealedHead - 1 });
    expect((await verifyAll()).failures).toEqual([expect.objectContaining({ streamId: stream, firstBadRevision: sealedHead - 1 })]);
  });

  it('two events swapped', async () => {
    const rows = db().prepare('SELECT position, type, data, metadata FROM events WHERE stream_id = ? AND revision IN (1, 2) ORDER BY revision').all(stream) as Array<{ position: number; type: string; data: string; metadata: string }>;
    const update = db().prepare('UPDATE events SET type = ?, data = ?, metadata = ? WHERE position = ?');
    db().transaction(() => {
      update.run(rows[1]!.type, rows[1]!.data, rows[1]!.metadata, rows[0]!.position);
      update.run(rows[0]!.type, rows[0]!.data, rows[0]!.metadata, rows[1]!.position);
    })();
    expect(await verifyOne()).toMatchObject({ ok: false, firstBadRevision: 1 });
    expect((await verifyAll()).failures).toEqual([expect.objectContaining({ streamId: stream, firstBadRevision: 1 })]);
  });

  it('a whole stream re-hashed consistently with the public algorithm: found by the seal, at the sealed revision', async () => {
    // The forger changes the priority-change reason and recomputes every prevHash / hash as docs/audit.md describes.
    const rows = db().prepare('SELECT position, revision, type, data, metadata FROM events WHERE stream_id = ? ORDER BY revision').all(stream) as Array<{ position: number; revision: number; type: string; data: string; metadata: string }>;
    const update = db().prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?');
    let prev = '0'.repeat(64);
    db().transaction(() => {
      for (const row of rows) {
        const data = JSON.parse(row.data.replace('Upload broken', 'Customer insisted')) as object;
        const { hash: _old, ...metadata }: Record<string, unknown> = { ...(JSON.parse(row.metadata) as Record<string, unknown>), prevHash: prev };
        const hash = createHash('sha256').update(canonicalize({ stream, revision: row.revision, type: row.type, data, metadata })!).digest('hex');
        update.run(JSON.stringify(data), JSON.stringify({ ...metadata, hash }), row.position);
        prev = hash;
      }
    })();
    const events = await h.store.readStream(stream);
    expect(JSON.stringify(events.map((e) => e.data))).toContain('Customer insisted');
    expect(verifyChain(stream, events).ok).toBe(true);
    expect(await verifyOne()).toMatchObject({ ok: false, firstBadRevision: sealedHead, sealed: false, sealProblem: expect.stringMatching(/rewritten/) });
    expect((await verifyAll()).failures).toEqual([expect.objectContaining({ streamId: stream, firstBadRevision: sealedHead })]);
  });

  it('a forged seal (heads rewritten to match a rewrite, without the key)', async () => {
    db().prepare(`UPDATE events SET data = replace(data, '"revision":${sealedHead}', '"revision":${sealedHead - 1}') WHERE stream_id = ?`).run(SEALS_STREAM);
    expect(await verifyOne()).toMatchObject({ ok: false, sealed: false, sealProblem: expect.stringMatching(/Merkle root|signature/) });
    const all = await verifyAll();
    expect(all.ok).toBe(false);
    expect(all.failures.map((f) => f.streamId)).toContain(SEALS_STREAM); // the seal event's own hash no longer matches
    expect(all.sealProblems).toEqual([expect.stringMatching(/Merkle root|signature/)]);
  });
});
