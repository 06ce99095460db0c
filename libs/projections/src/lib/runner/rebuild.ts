import type { EventStore, Position } from '@tracedesk/event-store';
import type { ReadModelStore } from '@tracedesk/read-models';
import type { Projection } from '../projection.js';

export interface RebuildProgress {
  projection: string;
  events: number;
  position: Position;
  head: Position;
}

export interface RebuildResult {
  projection: string;
  generation: number;
  events: number;
  elapsedMs: number;
}

/**
 * Blue/green rebuild: replays the whole log into a new, inactive generation (queries keep
 * reading the old one), catches up with what was appended meanwhile, then activates the new
 * generation and drops the old. A running projection runner notices the switch and follows
 * the new generation from its checkpoint.
 */
export async function rebuildProjection(
  store: EventStore,
  readModels: ReadModelStore,
  projection: Projection,
  options: { batchSize?: number; onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<RebuildResult> {
  const [result] = await rebuildProjections(store, readModels, [projection], options);
  return result!;
}

/**
 * Rebuilds several projections from one read of the log: each page is applied to every
 * projection's new generation (each commit with its own checkpoint), then each generation is
 * activated. Reading the log once instead of once per projection saves most of a full replay.
 */
export async function rebuildProjections(
  store: EventStore,
  readModels: ReadModelStore,
  projections: readonly Projection[],
  options: { batchSize?: number; onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<RebuildResult[]> {
  const started = Date.now();
  const batchSize = Math.min(options.batchSize ?? 2000, 10_000);
  await readModels.init();
  const generations: number[] = [];
  for (const projection of projections) generations.push(await readModels.createGeneration(projection.name));
  let after: Position = 0n;
  let events = 0;
  const name = projections.map((p) => p.name).join(', ');
  for (;;) {
    const batch = await store.readAll({ after, maxCount: batchSize });
    if (batch.length === 0) break;
    const last = batch[batch.length - 1]!.position;
    for (const [i, projection] of projections.entries()) {
      await readModels.runBatch(projection.name, generations[i]!, async (tx) => {
        await projection.applyBatch(batch, tx);
        return last;
      });
    }
    after = last;
    events += batch.length;
    options.onProgress?.({ projection: name, events, position: after, head: await store.headPosition() });
  }
  for (const [i, projection] of projections.entries()) await readModels.activateGeneration(projection.name, generations[i]!);
  const elapsedMs = Date.now() - started;
  return projections.map((projection, i) => ({ projection: projection.name, generation: generations[i]!, events, elapsedMs }));
}
