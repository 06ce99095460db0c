/**
 * A real application for tests: the Nest CQRS module over a real SQLite event store file and a
 * manual clock. Nothing of ours is mocked.
 */
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@tracedesk/event-store';
import { parseSlaPolicy, type SlaPolicy } from '@tracedesk/sla';
import type { Actor } from '@tracedesk/domain';
import { ApplicationModule } from '../application.module.js';
import { ManualClock } from '../shared/clock.js';
import { RegisterOrganizationCommand } from '../organizations/register-organization/register-organization.command.js';
import { AddContactCommand } from '../organizations/add-contact/add-contact.command.js';
import { OpenTicketCommand } from '../tickets/open-ticket/open-ticket.command.js';
import { AssignTicketCommand } from '../tickets/assign-ticket/assign-ticket.command.js';
import { ReplyToTicketCommand } from '../tickets/reply-to-ticket/reply-to-ticket.command.js';
import { ChangePriorityCommand } from '../tickets/change-priority/change-priority.command.js';

/** The sample policy of API.md. */
export const apiSamplePolicy = (): SlaPolicy =>
  parseSlaPolicy({
    version: '2026-11-22',
    calendars: {
      'business-msk': {
        timeZone: 'Europe/Moscow',
        hours: {
          mon: [['08:00', '20:00']],
          tue: [['08:00', '20:00']],
          wed: [['08:00', '20:00']],
          thu: [['08:00', '20:00']],
          fri: [['08:00', '20:00']],
        },
        holidays: ['2027-01-01'],
      },
      always: { timeZone: 'UTC', hours: '24x7' },
    },
    tiers: {
      free: { channels: [] },
      pro: {
        channels: ['WEB', 'EMAIL'],
        calendar: 'business-msk',
        targets: {
          CRITICAL: { firstResponse: 'PT1H', resolution: 'PT8H' },
          HIGH: { firstResponse: 'PT4H' },
          MEDIUM: { firstResponse: 'PT8H' },
          LOW: { firstResponse: 'PT24H' },
        },
      },
      enterprise: {
        channels: ['WEB', 'EMAIL', 'CHAT', 'PHONE'],
        calendar: 'business-msk',
        calendarByPriority: { CRITICAL: 'always' },
        targets: { CRITICAL: { firstResponse: 'PT30M' } },
        onBreach: { FIRST_RESPONSE: { escalateTo: 3 } },
      },
    },
  });

export const roles = {
  admin: { id: 'admin-1', role: 'admin' },
  agent: { id: 'agent-alice', role: 'agent' },
  supervisor: { id: 'sup-sam', role: 'supervisor' },
  system: { id: 'sla-watcher', role: 'system' },
  customer: (organizationId: string, id = 'anna'): Actor => ({ id, role: 'customer', organizationId }),
} as const;

export interface ApplicationHarness {
  app: INestApplicationContext;
  commands: CommandBus;
  queries: QueryBus;
  store: SqliteEventStore;
  clock: ManualClock;
  close(): Promise<void>;
}

export async function startApplication(options: { start?: string; maxAttempts?: number; policy?: SlaPolicy } = {}): Promise<ApplicationHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'tracedesk-app-'));
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  const clock = new ManualClock(options.start ?? '2026-11-23T07:00:00.000Z');
  const app = await NestFactory.createApplicationContext(
    ApplicationModule.forRoot({
      eventStore: store,
      policy: options.policy ?? apiSamplePolicy(),
      clock,
      commands: { maxAttempts: options.maxAttempts ?? 5 },
    }),
    { logger: false },
  );
  await app.init();
  return {
    app,
    commands: app.get(CommandBus),
    queries: app.get(QueryBus),
    store,
    clock,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A worked ticket for audit tests: organization `acme` (pro) with STAFF contact `anna`, a ticket
 * she opened, assigned to alice (group video), an agent reply "Looking", priority HIGH with a reason.
 */
export async function openWorkedTicket(h: ApplicationHarness, title = 'Black screen'): Promise<{ ticketId: string; stream: string }> {
  await h.commands.execute(new RegisterOrganizationCommand({ id: 'acme', name: 'Acme', tier: 'pro' }, { actor: roles.admin }));
  await h.commands.execute(new AddContactCommand({ organizationId: 'acme', contactId: 'anna', name: 'Anna', email: 'a@acme.test', kind: 'STAFF' }, { actor: roles.admin }));
  const opened = await h.commands.execute(new OpenTicketCommand({ channel: 'WEB', type: 'PROBLEM', title, description: 'Play → nothing' }, { actor: roles.customer('acme') }));
  const ticketId = opened.ticket.id as string;
  const agent = { actor: roles.agent };
  await h.commands.execute(new AssignTicketCommand({ ticketId, assigneeId: 'alice', group: 'video' }, agent));
  await h.commands.execute(new ReplyToTicketCommand({ ticketId, body: 'Looking' }, agent));
  await h.commands.execute(new ChangePriorityCommand({ ticketId, priority: 'HIGH', reason: 'Upload broken' }, agent));
  return { ticketId, stream: `ticket-${ticketId}` };
}
