import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig } from '@tracedesk/application';
import { createEventStore } from '@tracedesk/event-store';
import { createReadModelStore, PROJECTION_NAMES, type ProjectionName } from '@tracedesk/read-models';
import { ALL_PROJECTIONS, computeTierReport, rebuildProjections, tierReportCsv } from '@tracedesk/projections';

export function registerProjectionCommands(program: Command): void {
  program
    .command('rebuild')
    .description('Replay the log into a fresh copy of a projection (or all) and switch to it once caught up; the old copy answers queries meanwhile.')
    .argument('<projection>', `one of ${PROJECTION_NAMES.join(', ')}, or "all"`)
    .option('--batch-size <n>', 'events per transaction', '2000')
    .action(async (name: string, options: { batchSize: string }) => {
      const targets = name === 'all' ? ALL_PROJECTIONS : ALL_PROJECTIONS.filter((p) => p.name === name);
      if (targets.length === 0) throw new Error(`unknown projection "${name}"; choose one of ${PROJECTION_NAMES.join(', ')} or all`);
      const config = loadConfig();
      const store = createEventStore({ dataDir: config.dataDir, ...(config.eventStoreUrl && { eventStoreUrl: config.eventStoreUrl }) });
      const readModels = createReadModelStore({ dataDir: config.dataDir, ...(config.readModelUrl && { readModelUrl: config.readModelUrl }) });
      try {
        // All the projections asked for are rebuilt from one read of the log.
        const head = await store.headPosition();
        const bar = new SingleBar(
          { format: `${name.padEnd(13)} [{bar}] {percentage}% | {value}/{total} | {speed} events/s | ETA {eta_formatted}`, hideCursor: true },
          Presets.shades_classic,
        );
        bar.start(Number(head), 0, { speed: 0 });
        const started = Date.now();
        const results = await rebuildProjections(store, readModels, targets, {
          batchSize: Number(options.batchSize),
          onProgress: (p) => {
            const seconds = (Date.now() - started) / 1000;
            bar.setTotal(Math.max(Number(p.head), Number(p.position)));
            bar.update(Number(p.position), { speed: Math.round(p.events / Math.max(seconds, 0.001)) });
          },
        });
        bar.stop();
        for (const result of results) {
          process.stdout.write(
            `${result.projection}: ${result.events} events replayed in ${(result.elapsedMs / 1000).toFixed(1)} s into generation ${result.generation}, now active\n`,
          );
        }
      } finally {
        await store.close();
        await readModels.close();
      }
    });

  program
    .command('projections')
    .description('Show each projection: active generation, checkpoint, lag behind the log.')
    .action(async () => {
      const config = loadConfig();
      const store = createEventStore({ dataDir: config.dataDir, ...(config.eventStoreUrl && { eventStoreUrl: config.eventStoreUrl }) });
      const readModels = createReadModelStore({ dataDir: config.dataDir, ...(config.readModelUrl && { readModelUrl: config.readModelUrl }) });
      try {
        await readModels.init();
        const head = await store.headPosition();
        const rows = [];
        for (const name of PROJECTION_NAMES as readonly ProjectionName[]) {
          const generation = await readModels.activeGeneration(name);
          const checkpoint = await readModels.checkpoint(name, generation);
          rows.push({ projection: name, generation, checkpoint: checkpoint.toString(), head: head.toString(), lag: (head - checkpoint).toString() });
        }
        console.table(rows);
      } finally {
        await store.close();
        await readModels.close();
      }
    });

  program
    .command('report')
    .description('Per-tier SLA report from the ticket-facts read model.')
    .requiredOption('--from <time>', 'ISO-8601 start (inclusive)')
    .requiredOption('--to <time>', 'ISO-8601 end (exclusive)')
    .option('--tier <tier>', 'only this tier')
    .option('--csv', 'CSV instead of a table')
    .action(async (options: { from: string; to: string; tier?: string; csv?: boolean }) => {
      const from = new Date(options.from);
      const to = new Date(options.to);
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
        throw new Error('--from and --to must be ISO-8601 times with --from before --to');
      }
      const config = loadConfig();
      const readModels = createReadModelStore({ dataDir: config.dataDir, ...(config.readModelUrl && { readModelUrl: config.readModelUrl }) });
      try {
        await readModels.init();
        const rows = await computeTierReport(readModels.facts.openedBefore(to.toISOString(), options.tier), from.toISOString(), to.toISOString());
        if (options.csv) process.stdout.write(tierReportCsv(rows));
        else console.table(rows);
      } finally {
        await readModels.close();
      }
    });
}
