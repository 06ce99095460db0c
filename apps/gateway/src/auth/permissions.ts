import type { TokenRole } from './jwt.js';

/**
 * Who may call each operation: the one table the guard enforces and `docs/security.md`
 * documents (the authorisation test checks both against each other). An operation missing
 * here is refused for everyone (fail closed). Data rules on top: a customer sees only its own
 * organization (other tickets and organizations look NOT_FOUND, the queue is limited to it);
 * the domain checks again what each role may do to a ticket.
 */
const STAFF = ['agent', 'supervisor'] as const;

export const PERMISSIONS = {
  // queries
  ticket: ['customer', ...STAFF],
  queue: ['customer', ...STAFF, 'analyst'],
  slaBreaches: ['supervisor', 'analyst'],
  tierReport: ['analyst'],
  ticketHistory: ['supervisor', 'auditor'],
  ticketAsOf: ['supervisor', 'auditor'],
  verifyTicketHistory: ['supervisor', 'auditor'],
  organization: ['customer', ...STAFF, 'admin'],
  // organization administration
  registerOrganization: ['admin'],
  changeOrganizationTier: ['admin'],
  addContact: ['admin'],
  // ticket commands
  openTicket: ['customer', ...STAFF],
  changePriority: [...STAFF],
  assignTicket: [...STAFF],
  replyToTicket: ['customer', ...STAFF],
  addInternalNote: [...STAFF],
  awaitCustomer: [...STAFF],
  escalateTicket: ['customer', ...STAFF],
  resolveTicket: [...STAFF],
  reopenTicket: [...STAFF],
  closeTicket: [...STAFF],
  // subscriptions (graphql-ws): as the queries they follow
  ticketEvents: ['customer', ...STAFF],
  queueChanged: ['customer', ...STAFF, 'analyst'],
} as const satisfies Record<string, readonly TokenRole[]>;

export type OperationName = keyof typeof PERMISSIONS;

export function isAllowed(operation: string, role: string): boolean {
  const roles = (PERMISSIONS as Record<string, readonly string[] | undefined>)[operation];
  return roles !== undefined && roles.includes(role);
}
