/**
 * `npm run demo [-- --tickets 300 --days 21 --seed 2026 --now <ISO time> --force]`: fills a fresh
 * DATA_DIR (default ./data) with demo organizations, contacts and tickets through the real
 * command handlers, then prints what it made and how to look at it.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '@tracedesk/application';
import { DemoRefusedError, seedDemo, type DemoSummary } from './demo/seed-demo.js';

const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a positive integer');
  return n;
};

export function formatSummary(summary: DemoSummary): string {
  const tiers = new Map<string, string[]>();
  for (const o of summary.organizations) tiers.set(o.tier, [...(tiers.get(o.tier) ?? []), o.id]);
  const customer = summary.customers.find((c) => c.tier === 'enterprise') ?? summary.customers[0];
  const statuses = Object.entries(summary.ticketsByStatus)
    .sort()
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
  const queueQuery = '{ queue(first: 5) { totalCount edges { node { id title status priority tier nextDueAt breached atRisk } } } }';
  return [
    '',
    `Demo data in ${summary.dataDir} (${summary.from.slice(0, 10)} .. ${summary.to.slice(0, 10)}, ${summary.events} events, ${summary.commands} commands, ${summary.refused} refused by the rules):`,
    `  organizations  ${summary.organizations.length}: ${[...tiers].map(([tier, ids]) => `${tier} (${ids.join(', ')})`).join('; ')}`,
    `                 each with two staff contacts (<org>-anna, <org>-boris) and a distributor (<org>-partner)`,
    `  tickets        ${summary.tickets}: ${statuses}`,
    `  queue          ${summary.queue.open} open: ${summary.queue.breached} breached, ${summary.queue.atRisk} at risk, ${summary.queue.fine} within target`,
    `  SLA breaches   ${summary.breaches} (${summary.escalated} escalated by the policy's onBreach rules)`,
    '',
    'Try it:',
    '  npm start                                    # GraphQL at http://127.0.0.1:3000/graphql, explorer at /graphiql',
    '  TOKEN=$(npm run -s token -- --role agent --sub alice)',
    `  curl -s localhost:3000/graphql -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `    -d '{"query":"${queueQuery.replace(/"/g, '\\"')}"}'`,
    '  npm run token -- --role supervisor --sub sam  # slaBreaches, ticketHistory',
    '  npm run token -- --role analyst --sub ada     # tierReport(from, to)',
    ...(customer ? [`  npm run token -- --role customer --sub ${customer.contactId} --org ${customer.organizationId}   # a customer of the ${customer.tier} tier`] : []),
    `  a ticket: ${summary.ticketIds[0] ?? 'DEMO-0001'} .. ${summary.ticketIds[summary.ticketIds.length - 1] ?? ''}`,
    '',
  ].join('\n');
}

const program = new Command('demo')
  .description('Fill a fresh DATA_DIR with demo organizations, contacts and tickets (real commands, real events)')
  .option('--tickets <n>', 'tickets to open', positive, 300)
  .option('--days <n>', 'days of history, ending now', positive, 21)
  .option('--seed <n>', 'random seed (same seed and --now: same data)', positive, 2026)
  .option('--now <time>', 'end of the history (ISO-8601), default: now', (value) => {
    const at = new Date(value);
    if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('an ISO-8601 time, e.g. 2026-11-23T12:00:00Z');
    return at;
  })
  .option('--force', 'add to a data dir that already has events')
  .action(async (options: { tickets: number; days: number; seed: number; now?: Date; force?: boolean }) => {
    const config = loadConfig();
    process.stderr.write(`Filling ${config.dataDir} with ${options.tickets} demo tickets over ${options.days} days...\n`);
    const summary = await seedDemo({
      config,
      tickets: options.tickets,
      days: options.days,
      seed: options.seed,
      ...(options.now && { now: options.now }),
      ...(options.force && { force: true }),
    });
    process.stdout.write(formatSummary(summary));
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const known = error instanceof DemoRefusedError || error instanceof ConfigError;
  process.stderr.write(`tracedesk demo: ${known ? (error as Error).message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(known ? 2 : 1);
}
