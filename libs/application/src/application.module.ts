import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '@tracedesk/event-store';
import type { ReadModelStore } from '@tracedesk/read-models';
import type { SlaPolicy } from '@tracedesk/sla';
import { CLOCK, systemClock, type Clock } from './shared/clock.js';
import { SlaPolicyHolder } from './shared/sla-policy-holder.js';
import { StreamProcessor } from './shared/stream-processor.js';
import { COMMAND_OPTIONS, DEFAULT_COMMAND_OPTIONS, EVENT_STORE, READ_MODELS, SLA_POLICY, type CommandOptions } from './shared/tokens.js';
import { SlaDeadlineWatcher } from './sla/sla-deadline-watcher.js';
import { BreachEscalationSaga } from './sla/breach-escalation.saga.js';
import { AddContactHandler } from './organizations/add-contact/add-contact.handler.js';
import { ChangeOrganizationTierHandler } from './organizations/change-organization-tier/change-organization-tier.handler.js';
import { RegisterOrganizationHandler } from './organizations/register-organization/register-organization.handler.js';
import { RemoveContactHandler } from './organizations/remove-contact/remove-contact.handler.js';
import { AddInternalNoteHandler } from './tickets/add-internal-note/add-internal-note.handler.js';
import { AssignTicketHandler } from './tickets/assign-ticket/assign-ticket.handler.js';
import { AwaitCustomerHandler } from './tickets/await-customer/await-customer.handler.js';
import { ChangePriorityHandler } from './tickets/change-priority/change-priority.handler.js';
import { CloseTicketHandler } from './tickets/close-ticket/close-ticket.handler.js';
import { EscalateTicketHandler } from './tickets/escalate-ticket/escalate-ticket.handler.js';
import { GetTicketHandler } from './tickets/get-ticket/get-ticket.handler.js';
import { OpenTicketHandler } from './tickets/open-ticket/open-ticket.handler.js';
import { RecordSlaAtRiskHandler } from './tickets/record-sla-at-risk/record-sla-at-risk.handler.js';
import { RecordSlaBreachHandler } from './tickets/record-sla-breach/record-sla-breach.handler.js';
import { ReopenTicketHandler } from './tickets/reopen-ticket/reopen-ticket.handler.js';
import { ReplyToTicketHandler } from './tickets/reply-to-ticket/reply-to-ticket.handler.js';
import { ResolveTicketHandler } from './tickets/resolve-ticket/resolve-ticket.handler.js';

export interface ApplicationModuleOptions {
  eventStore: EventStore;
  /** Needed by the SLA deadline watcher and the escalation saga (and the gateway's queries). */
  readModels?: ReadModelStore;
  policy: SlaPolicy;
  clock?: Clock;
  commands?: Partial<CommandOptions>;
}

const HANDLERS = [
  RegisterOrganizationHandler,
  ChangeOrganizationTierHandler,
  AddContactHandler,
  RemoveContactHandler,
  OpenTicketHandler,
  ChangePriorityHandler,
  AssignTicketHandler,
  ReplyToTicketHandler,
  AddInternalNoteHandler,
  AwaitCustomerHandler,
  EscalateTicketHandler,
  ResolveTicketHandler,
  ReopenTicketHandler,
  CloseTicketHandler,
  RecordSlaBreachHandler,
  RecordSlaAtRiskHandler,
  GetTicketHandler,
];

/** Command and query handlers over an event store, a policy and a clock given by the app. */
@Module({})
export class ApplicationModule {
  static forRoot(options: ApplicationModuleOptions): DynamicModule {
    return {
      module: ApplicationModule,
      global: true,
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: EVENT_STORE, useValue: options.eventStore },
        { provide: SLA_POLICY, useValue: new SlaPolicyHolder(options.policy) },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: COMMAND_OPTIONS, useValue: { ...DEFAULT_COMMAND_OPTIONS, ...options.commands } },
        StreamProcessor,
        ...HANDLERS,
        ...(options.readModels
          ? [{ provide: READ_MODELS, useValue: options.readModels }, SlaDeadlineWatcher, BreachEscalationSaga]
          : []),
      ],
      exports: [EVENT_STORE, SLA_POLICY, CLOCK, StreamProcessor, CqrsModule, ...(options.readModels ? [READ_MODELS] : [])],
    };
  }
}
