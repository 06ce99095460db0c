import { resolveSla } from '@tracedesk/sla';
import type { TicketCommand, TicketContext } from '../ticket.commands.js';
import type { TicketEvent } from '../ticket.events.js';
import { requireRole, requireTicket } from '../ticket.guards.js';
import type { TicketDeciderState } from '../ticket.state.js';
import { elapsedBusinessMs } from '../sla-clocks.js';

/** Warns once per clock cycle when a running clock has used the policy's at-risk share of its target. */
export function recordSlaAtRisk(
  command: Extract<TicketCommand, { type: 'RecordSlaAtRisk' }>,
  state: TicketDeciderState,
  { actor, policy, now }: TicketContext,
): TicketEvent[] {
  requireTicket(state, command.ticketId, actor);
  requireRole(actor, ['system'], 'record SLA warnings');
  const clock = state.clocks[command.metric];
  if (!clock || clock.status !== 'RUNNING' || clock.atRiskAt !== null || clock.dueAt === null) return [];
  const share = resolveSla(policy, state.tier, state.priority).atRiskShare;
  const elapsed = elapsedBusinessMs(policy, clock, now);
  if (elapsed < share * clock.targetMs || elapsed >= clock.targetMs) return [];
  return [
    {
      type: 'SlaClockAtRisk',
      data: {
        metric: command.metric,
        cycle: clock.cycle,
        dueAt: clock.dueAt,
        remainingBusinessMs: clock.targetMs - elapsed,
        at: now.toISOString(),
      },
    },
  ];
}
