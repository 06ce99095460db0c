import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DomainError } from '@tracedesk/domain';
import { InputValidationError, ConcurrencyConflictError } from './shared/application-errors.js';
import { toApiError } from './shared/error-codes.js';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { ApplicationModule } from './application.module.js';
import { apiSamplePolicy, startApplication, roles, type ApplicationHarness } from './testing/application.harness.js';
import { RegisterOrganizationCommand } from './organizations/register-organization/register-organization.command.js';
import { AddContactCommand } from './organizations/add-contact/add-contact.command.js';
import { OpenTicketCommand } from './tickets/open-ticket/open-ticket.command.js';
import { ChangePriorityCommand } from './tickets/change-priority/change-priority.command.js';
import { AssignTicketCommand } from './tickets/assign-ticket/assign-ticket.command.js';
import { ReplyToTicketCommand } from './tickets/reply-to-ticket/reply-to-ticket.command.js';
import { AwaitCustomerCommand } from './tickets/await-customer/await-customer.command.js';
import { EscalateTicketCommand } from './tickets/escalate-ticket/escalate-ticket.command.js';
import { ResolveTicketCommand } from './tickets/resolve-ticket/resolve-ticket.command.js';
import { ReopenTicketCommand } from './tickets/reopen-ticket/reopen-ticket.command.js';
import { CloseTicketCommand } from './tickets/close-ticket/close-ticket.command.js';
import { AddInternalNoteCommand } from './tickets/add-internal-note/add-internal-note.command.js';
import { RecordSlaBreachCommand } from './tickets/record-sla-breach/record-sla-breach.command.js';
import { GetTicketQuery } from './tickets/get-ticket/get-ticket.query.js';
import type { TicketResult } from './tickets/ticket-command-handler.js';

const HOUR = 3_600_000;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the command to be refused');
    },
    (error: unknown) => error,
  );
}

describe('application: commands through the CommandBus on the embedded store', () => {
  let h: ApplicationHarness;
  let orgId: string;
  const customer = () => roles.customer(orgId);

  beforeEach(async () => {
    h = await startApplication();
    const org = await h.commands.execute(new RegisterOrganizationCommand({ name: 'Acme Media', tier: 'pro' }, { actor: roles.admin }));
    orgId = org.organization.id;
    await h.commands.execute(
      new AddContactCommand({ organizationId: orgId, contactId: 'anna', name: 'Anna', email: 'anna@acme.test', kind: 'STAFF' }, { actor: roles.admin }),
    );
    await h.commands.execute(
      new AddContactCommand({ organizationId: orgId, contactId: 'dist', name: 'Partner', email: 'p@partner.test', kind: 'DISTRIBUTOR' }, { actor: roles.admin }),
    );
  });
  afterEach(async () => {
    await h.close();
  });

  const open = (input: Record<string, unknown> = {}): Promise<TicketResult> =>
    h.commands.execute(
      new OpenTicketCommand({ channel: 'WEB', type: 'PROBLEM', title: 'Video does not play', description: 'Black screen on play', ...input } as never, {
        actor: customer(),
      }),
    );

  it('walks a ticket through its whole life, every step an event with full metadata', async () => {
    const opened = await open({ requestedPriority: 'HIGH' });
    const id = opened.ticket.id;
    expect(id).toMatch(/^TD-[0-9A-HJKMNP-TV-Z]{6}$/);
    expect(opened).toMatchObject({ revision: 1, ticket: { status: 'NEW', priority: 'HIGH', tier: 'pro', organizationId: orgId } });
    expect(BigInt(opened.position)).toBeGreaterThan(0n);

    const agent = { actor: roles.agent, correlationId: 'req-42' };
    const step = async (run: () => Promise<TicketResult>, advance = HOUR / 4): Promise<TicketResult> => {
      h.clock.advance(advance);
      return run();
    };
    await step(() => h.commands.execute(new ChangePriorityCommand({ ticketId: id, priority: 'CRITICAL', reason: 'Payments fail' }, agent)));
    await step(() => h.commands.execute(new AssignTicketCommand({ ticketId: id, assigneeId: 'alice', group: 'payments' }, agent)));
    await step(() => h.commands.execute(new ReplyToTicketCommand({ ticketId: id, body: 'Looking into it' }, agent)));
    await step(() => h.commands.execute(new AddInternalNoteCommand({ ticketId: id, body: 'PSP outage?' }, agent)));
    await step(() => h.commands.execute(new AwaitCustomerCommand({ ticketId: id, body: 'Which card brand?' }, agent)));
    await step(() => h.commands.execute(new ReplyToTicketCommand({ ticketId: id, body: 'Visa' }, { actor: customer() })));
    await step(() => h.commands.execute(new EscalateTicketCommand({ ticketId: id, level: 2, reason: 'PSP integration bug' }, agent)));
    await step(() => h.commands.execute(new ResolveTicketCommand({ ticketId: id, resolution: 'Patched the PSP client' }, agent)));
    await step(() => h.commands.execute(new ReopenTicketCommand({ ticketId: id, reason: 'Fails again for Amex' }, { actor: customer() })));
    await step(() => h.commands.execute(new ResolveTicketCommand({ ticketId: id, resolution: 'Amex fixed too' }, agent)));
    const closed = await step(() => h.commands.execute(new CloseTicketCommand({ ticketId: id }, agent)));

    expect(closed.ticket).toMatchObject({ status: 'CLOSED', priority: 'CRITICAL', escalationLevel: 2, reopenCount: 1, assigneeId: 'alice' });
    expect(closed.ticket.clocks.FIRST_RESPONSE).toMatchObject({ status: 'MET' });
    expect(closed.ticket.clocks.RESOLUTION).toMatchObject({ status: 'MET' });

    const history = await h.store.readStream(`ticket-${id}`);
    expect(history.map((e) => e.revision)).toEqual(history.map((_, i) => i));
    expect(history.length).toBe(closed.revision + 1);
    const priorityChange = history.find((e) => e.type === 'TicketPriorityChanged')!;
    expect(priorityChange.metadata).toMatchObject({
      actorId: 'agent-alice',
      actorRole: 'agent',
      correlationId: 'req-42',
      command: 'ChangePriority',
      policyVersion: '2026-11-22',
      occurredAt: '2026-11-23T07:15:00.000Z',
    });
    expect(history[0]!.metadata).toMatchObject({ actorId: 'anna', actorRole: 'customer' });
    expect(typeof history[0]!.metadata['correlationId']).toBe('string');
    // Time comes from the injected clock, not the machine's.
    expect(history.find((e) => e.type === 'TicketClosed')!.data['at']).toBe('2026-11-23T09:45:00.000Z');
  });

  it('refuses bad input by field name, refuses unknown fields, and appends nothing', async () => {
    const head = await h.store.headPosition();
    const error = await rejection(open({ channel: 'FAX', title: '' }));
    expect(error).toBeInstanceOf(InputValidationError);
    const api = toApiError(error);
    expect(api.code).toBe('BAD_USER_INPUT');
    expect(api.message).toMatch(/channel/);
    expect(api.message).toMatch(/title/);
    const unknown = await rejection(open({ isAdmin: true }));
    expect(toApiError(unknown).message).toMatch(/isAdmin/);
    const injected = await rejection(
      h.commands.execute(new ChangePriorityCommand({ ticketId: { $gt: '' }, priority: 'HIGH', reason: 'x' } as never, { actor: roles.agent })),
    );
    expect(toApiError(injected)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await h.store.headPosition()).toBe(head);
  });

  it('refuses what the rules refuse with a typed error and appends nothing', async () => {
    const head = await h.store.headPosition();
    const byDistributor = await rejection(
      h.commands.execute(
        new OpenTicketCommand({ channel: 'WEB', type: 'QUESTION', title: 'Hi', description: 'Q' }, { actor: roles.customer(orgId, 'dist') }),
      ),
    );
    expect(byDistributor).toBeInstanceOf(DomainError);
    expect(toApiError(byDistributor)).toMatchObject({ code: 'RULE_VIOLATION', details: { rule: 'DISTRIBUTOR_NOT_SUPPORTED' } });
    const phone = await rejection(open({ channel: 'PHONE' }));
    expect(toApiError(phone)).toMatchObject({ code: 'RULE_VIOLATION', details: { rule: 'CHANNEL_NOT_IN_TIER' } });
    const missing = await rejection(h.commands.execute(new CloseTicketCommand({ ticketId: 'TD-NOPE00' }, { actor: roles.agent })));
    expect(toApiError(missing)).toMatchObject({ code: 'NOT_FOUND' });
    expect(await h.store.headPosition()).toBe(head);
  });

  it('hides another organization’s tickets from a customer', async () => {
    const { ticket } = await open();
    const other = await h.commands.execute(new RegisterOrganizationCommand({ id: 'globex', name: 'Globex', tier: 'pro' }, { actor: roles.admin }));
    const stranger = roles.customer(other.organization.id, 'boris');
    expect(await h.queries.execute(new GetTicketQuery(ticket.id, stranger))).toBeNull();
    expect(await h.queries.execute(new GetTicketQuery(ticket.id, customer()))).toMatchObject({ ticket: { id: ticket.id } });
    const reply = await rejection(h.commands.execute(new ReplyToTicketCommand({ ticketId: ticket.id, body: 'hi' }, { actor: stranger })));
    expect(toApiError(reply)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('20 simultaneous commands on one ticket all land, one after another, in one dense history', async () => {
    const { ticket } = await open();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.commands.execute(new AddInternalNoteCommand({ ticketId: ticket.id, body: `note ${i}` }, { actor: roles.agent })),
      ),
    );
    expect(new Set(results.map((r) => r.revision)).size).toBe(20);
    const history = await h.store.readStream(`ticket-${ticket.id}`);
    const notes = history.filter((e) => e.type === 'InternalNoteAdded').map((e) => e.data['body']);
    expect(notes.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `note ${i}`).sort());
    expect(history.map((e) => e.revision)).toEqual(history.map((_, i) => i));
  });

  it('two processes writing one ticket: conflicts are retried, then refused with CONFLICT, never lost or doubled', async () => {
    const { ticket } = await open();
    // A second application on the same store, like a second gateway replica, with no retry.
    const replica = await NestFactory.createApplicationContext(
      ApplicationModule.forRoot({ eventStore: h.store, policy: apiSamplePolicy(), clock: h.clock, commands: { maxAttempts: 1 } }),
      { logger: false },
    );
    const replicaBus = replica.get(CommandBus);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => [
        h.commands.execute(new AddInternalNoteCommand({ ticketId: ticket.id, body: `a${i}` }, { actor: roles.agent })),
        replicaBus.execute(new AddInternalNoteCommand({ ticketId: ticket.id, body: `b${i}` }, { actor: roles.agent })),
      ]).flat(),
    );
    await replica.close();
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(ConcurrencyConflictError);
      expect(toApiError(r.reason).code).toBe('CONFLICT');
    }
    const notes = (await h.store.readStream(`ticket-${ticket.id}`)).filter((e) => e.type === 'InternalNoteAdded');
    expect(notes).toHaveLength(20 - refused.length);
    expect(new Set(notes.map((e) => e.data['body'])).size).toBe(notes.length);
  });

  it('the watcher’s breach is decided by the domain, with the injected clock', async () => {
    const { ticket } = await open({ requestedPriority: 'CRITICAL' });
    const system = { actor: roles.system };
    h.clock.advance(HOUR - 1);
    expect((await h.commands.execute(new RecordSlaBreachCommand({ ticketId: ticket.id, metric: 'FIRST_RESPONSE' }, system))).ticket.breachCount).toBe(0);
    h.clock.advance(1);
    const breached = await h.commands.execute(new RecordSlaBreachCommand({ ticketId: ticket.id, metric: 'FIRST_RESPONSE' }, system));
    expect(breached.ticket.clocks.FIRST_RESPONSE).toMatchObject({ status: 'BREACHED' });
    const again = await h.commands.execute(new RecordSlaBreachCommand({ ticketId: ticket.id, metric: 'FIRST_RESPONSE' }, system));
    expect(again.revision).toBe(breached.revision);
  });

  it('an open ticket’s tier is the organization’s at the time; a free tier cannot open tickets', async () => {
    await h.commands.execute(new RegisterOrganizationCommand({ id: 'freebie', name: 'Freebie', tier: 'free' }, { actor: roles.admin }));
    await h.commands.execute(new AddContactCommand({ organizationId: 'freebie', contactId: 'fred', name: 'Fred', email: 'f@f.test', kind: 'STAFF' }, { actor: roles.admin }));
    const error = await rejection(
      h.commands.execute(new OpenTicketCommand({ channel: 'WEB', type: 'QUESTION', title: 'Hi', description: 'Q' }, { actor: roles.customer('freebie', 'fred') })),
    );
    expect(toApiError(error)).toMatchObject({ code: 'RULE_VIOLATION', details: { rule: 'TIER_HAS_NO_TICKETS' } });
  });
});
