import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EventStore, RecordedEvent, Subscription } from '@tracedesk/event-store';
import type { ReadModelStore } from '@tracedesk/read-models';
import { resolveSla, type Priority, type SlaMetric } from '@tracedesk/sla';
import { DomainError, TICKET_STREAM_PREFIX } from '@tracedesk/domain';
import { EVENT_STORE, READ_MODELS, SLA_POLICY } from '../shared/tokens.js';
import type { SlaPolicyHolder } from '../shared/sla-policy-holder.js';
import { EscalateTicketCommand } from '../tickets/escalate-ticket/escalate-ticket.command.js';

export const SAGA_CURSOR = 'saga:breach-escalation';

/**
 * Turns a breach into the escalation the policy's `onBreach` asks for, with the rule as the
 * actor. It follows the log from its own cursor; delivery is at least once, and the decider
 * makes the effect exactly once (a rule asking for a level already reached records nothing).
 */
@Injectable()
export class BreachEscalationSaga {
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    @Inject(SLA_POLICY) private readonly policy: SlaPolicyHolder,
    private readonly commands: CommandBus,
  ) {}

  async start(): Promise<void> {
    const after = await this.readModels.cursor(SAGA_CURSOR);
    this.subscription = this.store.subscribeToAll({
      after,
      filter: { streamPrefixes: [TICKET_STREAM_PREFIX], eventTypes: ['SlaClockBreached'] },
    });
    const subscription = this.subscription;
    this.loop = (async () => {
      for await (const event of subscription) {
        // Until the escalation is sent, the cursor stays before this breach: retry it.
        for (let attempt = 1; ; attempt++) {
          try {
            await this.handle(event);
            break;
          } catch {
            if (this.stopping) return;
            await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 250 * 2 ** attempt)));
          }
        }
        await this.readModels.setCursor(SAGA_CURSOR, event.position);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    await this.loop;
  }

  /** Sends the escalation for one breach event, if the policy has a rule for it. */
  async handle(event: RecordedEvent): Promise<void> {
    const data = event.data as { metric: SlaMetric; tier: string; priority: Priority };
    let rule;
    try {
      rule = resolveSla(this.policy.current, data.tier, data.priority).onBreach[data.metric];
    } catch {
      return; // The tier left the policy since: no rule applies.
    }
    if (!rule) return;
    const ruleName = `onBreach.${data.metric}`;
    const correlationId = typeof event.metadata['correlationId'] === 'string' ? event.metadata['correlationId'] : undefined;
    try {
      await this.commands.execute(
        new EscalateTicketCommand(
          { ticketId: event.streamId.slice(TICKET_STREAM_PREFIX.length), level: rule.escalateTo, reason: `${data.metric} breached (policy rule ${ruleName})` },
          { actor: { id: ruleName, role: 'system' }, causationId: event.id, ...(correlationId && { correlationId }) },
        ),
      );
    } catch (error) {
      // A ticket resolved or closed since the breach is not escalated: nothing to do.
      if (!(error instanceof DomainError)) throw error;
    }
  }
}
