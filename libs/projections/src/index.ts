export * from './lib/projection.js';
export { queueProjection, toQueueRow } from './lib/queue/queue.projection.js';
export { slaBreachesProjection, breachKey } from './lib/sla-breaches/sla-breaches.projection.js';
export { ticketFactsProjection, applyFact } from './lib/ticket-facts/ticket-facts.projection.js';
export { computeTierReport, tierReportCsv, percentile } from './lib/tier-report/tier-report.js';
export * from './lib/runner/projection-runner.js';
export * from './lib/runner/rebuild.js';
import { queueProjection } from './lib/queue/queue.projection.js';
import { slaBreachesProjection } from './lib/sla-breaches/sla-breaches.projection.js';
import { ticketFactsProjection } from './lib/ticket-facts/ticket-facts.projection.js';
import type { Projection } from './lib/projection.js';

export const ALL_PROJECTIONS: readonly Projection[] = [queueProjection, slaBreachesProjection, ticketFactsProjection];
export { writeOrganizations, writeTickets, snapshotReadModels, type ReadModelSnapshot } from './testing/projection-fixtures.js';
