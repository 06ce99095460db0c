import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import {
  loadConfig,
  loadSealPrivateKey,
  loadSealPublicKey,
  occurredAt,
  publicKeyPem,
  Sealer,
  systemClock,
  ticketAsOf,
  ticketHistoryEntries,
  verifyLog,
  verifyStreamHistory,
  type AppConfig,
} from '@tracedesk/application';
import { ticketStream } from '@tracedesk/domain';
import { createEventStore, StreamNotFoundError, type EventStore, type RecordedEvent } from '@tracedesk/event-store';

const EXPORT_PAGE = 5000;

function withStore<T>(config: AppConfig, work: (store: EventStore) => Promise<T>): Promise<T> {
  const store = createEventStore({ dataDir: config.dataDir, ...(config.eventStoreUrl && { eventStoreUrl: config.eventStoreUrl }) });
  return work(store).finally(() => store.close());
}

async function ticketEvents(store: EventStore, id: string): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(ticketStream(id));
  } catch (error) {
    if (error instanceof StreamNotFoundError) throw new Error(`ticket ${id} does not exist`);
    throw error;
  }
}

const time = (value: string): Date => {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('an ISO-8601 time');
  return date;
};
const revisionArg = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a revision (0 or more)');
  return n;
};
const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a positive integer');
  return n;
};

/** Writes to stdout, waiting for it to drain when its buffer is full (a pipe to a slow reader). */
async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** The key seals are checked with: `--public-key <file>`, else the configured one. */
function verificationKey(config: AppConfig, file?: string) {
  return loadSealPublicKey(file ? { ...config, sealPublicKey: readFileSync(file, 'utf8') } : config);
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('Auditors: ticket histories, state as of a time, verification against hashes and signed seals, export.');

  audit
    .command('history')
    .description("Every event of a ticket: who, when, why, under which policy, what changed, its hash.")
    .argument('<id>', 'ticket id')
    .option('--json', 'JSON lines, one event each')
    .action(async (id: string, options: { json?: boolean }) => {
      await withStore(loadConfig(), async (store) => {
        const entries = ticketHistoryEntries(await ticketEvents(store, id));
        if (options.json) {
          for (const entry of entries) await write(`${JSON.stringify(entry)}\n`);
          return;
        }
        console.table(
          entries.map((e) => ({
            rev: e.revision,
            occurredAt: e.occurredAt,
            type: e.type,
            actor: `${e.actorId} (${e.actorRole})`,
            reason: e.reason ?? '',
            policy: e.policyVersion ?? '',
            changes: e.changes.join('; '),
            hash: e.hash.slice(0, 12),
          })),
        );
      });
    });

  audit
    .command('as-of')
    .description('The ticket as it was at a time or a revision (both inclusive), folded with the domain’s own evolve.')
    .argument('<id>', 'ticket id')
    .option('--at <time>', 'ISO-8601 time of the decisions to include', time)
    .option('--revision <n>', 'last revision to include', revisionArg)
    .action(async (id: string, options: { at?: Date; revision?: number }) => {
      if (!options.at && options.revision === undefined) throw new Error('give --at <time> or --revision <n>');
      await withStore(loadConfig(), async (store) => {
        const { state, revision } = ticketAsOf(await ticketEvents(store, id), { at: options.at ?? null, revision: options.revision ?? null });
        if (!state) throw new Error(`ticket ${id} did not exist yet at ${options.at?.toISOString() ?? `revision ${options.revision}`}`);
        await write(`${JSON.stringify({ revision, ...state }, null, 2)}\n`);
      });
    });

  audit
    .command('verify')
    .description('Recompute hash chains and check them against the signed seals: one ticket, or the whole log with --all. Exit code 1 on any failure.')
    .argument('[id]', 'ticket id')
    .option('--all', 'every stream of the log')
    .option('--public-key <file>', 'PEM public key to check seals with (default: SEAL_PUBLIC_KEY or the key in DATA_DIR)')
    .option('--workers <n>', 'threads hashing in parallel for --all (embedded store)', positive)
    .option('--json', 'the result as JSON')
    .action(async (id: string | undefined, options: { all?: boolean; publicKey?: string; workers?: number; json?: boolean }) => {
      if (!id === !options.all) throw new Error('give a ticket id or --all');
      const config = loadConfig();
      const publicKey = verificationKey(config, options.publicKey);
      await withStore(config, async (store) => {
        if (id) {
          const result = await verifyStreamHistory(store, ticketStream(id), publicKey);
          if (!result) throw new Error(`ticket ${id} does not exist`);
          if (options.json) await write(`${JSON.stringify(result)}\n`);
          else {
            await write(
              result.ok
                ? `ticket ${id}: OK, ${result.checkedEvents} events, ${result.sealed ? `head sealed at revision ${result.sealedRevision}` : `not sealed: ${result.sealProblem}`}\n`
                : `ticket ${id}: BROKEN at revision ${result.firstBadRevision}: ${result.problem}\n`,
            );
          }
          if (!result.ok) process.exitCode = 1;
          return;
        }
        const bar = new SingleBar({ format: 'verify [{bar}] {percentage}% | {value}/{total} events | {speed} events/s | ETA {eta_formatted}', hideCursor: true, stream: process.stderr }, Presets.shades_classic);
        const started = Date.now();
        bar.start(Number(await store.headPosition()), 0, { speed: 0 });
        const report = await verifyLog({
          store,
          publicKey,
          // Worker threads open their own connection: only the embedded store's file is shared safely that way.
          ...(!config.eventStoreUrl && { storeConfig: { dataDir: config.dataDir }, workers: options.workers ?? Math.min(availableParallelism(), 4) }),
          onProgress: (checked, total) => {
            bar.setTotal(Math.max(total, checked));
            bar.update(checked, { speed: Math.round(checked / Math.max((Date.now() - started) / 1000, 0.001)) });
          },
        });
        bar.stop();
        const seconds = (Date.now() - started) / 1000;
        if (options.json) await write(`${JSON.stringify({ ...report, seconds })}\n`);
        else {
          await write(
            `${report.ok ? 'OK' : 'FAILED'}: ${report.checkedEvents} events in ${report.streams} streams checked in ${seconds.toFixed(1)} s ` +
              `(${Math.round(report.checkedEvents / Math.max(seconds, 0.001))} events/s); ${report.seals} seals, ${report.sealedStreams} streams sealed at their head; ` +
              `${report.failures.length} broken streams\n`,
          );
          for (const problem of report.sealProblems) await write(`seals: ${problem}\n`);
          for (const failure of report.failures) await write(`${failure.streamId}: BROKEN at revision ${failure.firstBadRevision}: ${failure.problem}\n`);
        }
        if (!report.ok) process.exitCode = 1;
      });
    });

  audit
    .command('export')
    .description('JSON lines of every event whose decision time is in [--from, --to), with its hash chain, in log order (streamed).')
    .requiredOption('--from <time>', 'ISO-8601 start (inclusive)', time)
    .requiredOption('--to <time>', 'ISO-8601 end (exclusive)', time)
    .action(async (options: { from: Date; to: Date }) => {
      if (options.from >= options.to) throw new Error('--from must be before --to');
      const from = options.from.getTime();
      const to = options.to.getTime();
      await withStore(loadConfig(), async (store) => {
        // One page in memory at a time; each page is written as one chunk, after stdout drained.
        let after = 0n;
        for (;;) {
          const page = await store.readAll({ after, maxCount: EXPORT_PAGE });
          if (page.length === 0) break;
          let chunk = '';
          for (const e of page) {
            const at = new Date(occurredAt(e)).getTime();
            if (at < from || at >= to) continue;
            chunk += `${JSON.stringify({ position: e.position.toString(), stream: e.streamId, revision: e.revision, type: e.type, occurredAt: occurredAt(e), recordedAt: e.recordedAt.toISOString(), data: e.data, metadata: e.metadata })}\n`;
          }
          if (chunk) await write(chunk);
          after = page[page.length - 1]!.position;
        }
      });
    });

  audit
    .command('public-key')
    .description('Print the Ed25519 public key (PEM) that checks the seals; creates the seal key in DATA_DIR if there is none yet.')
    .action(async () => {
      const config = loadConfig();
      const key = config.sealPublicKey && !config.sealPrivateKey ? loadSealPublicKey(config)! : loadSealPrivateKey(config)!;
      await write(publicKeyPem(key));
    });

  audit
    .command('seal')
    .description('Seal now: sign the heads of every stream changed since the last seal.')
    .action(async () => {
      const config = loadConfig();
      await withStore(config, async (store) => {
        const seals = await new Sealer({ store, clock: systemClock, privateKey: () => loadSealPrivateKey(config)! }).sealNow();
        if (seals.length === 0) await write('nothing changed since the last seal\n');
        for (const s of seals) {
          await write(`seal ${s.revision}: ${s.streamCount} streams up to position ${s.toPosition}, Merkle root ${s.merkleRoot}\n`);
        }
      });
    });
}
