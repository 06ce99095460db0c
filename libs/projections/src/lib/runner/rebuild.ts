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
  const started = Date.now();
  const batchSize = options.batchSize ?? 2000;
  await readModels.init();
  const generation = await readModels.createGeneration(projection.name);
  let after: Position = 0n;
  let events = 0;
  for (;;) {
    const batch = await store.readAll({ after, maxCount: Math.min(batchSize, 10_000) });
    if (batch.length === 0) break;
    const last = batch[batch.length - 1]!.position;
    await readModels.runBatch(projection.name, generation, async (tx) => {
      await projection.applyBatch(batch, tx);
      return last;
    });
    after = last;
    events += batch.length;
    options.onProgress?.({ projection: projection.name, events, position: after, head: await store.headPosition() });
  }
  await readModels.activateGeneration(projection.name, generation);
  return { projection: projection.name, generation, events, elapsedMs: Date.now() - started };
}
