/** Who issues a command. `system` is the SLA watcher and the escalation rules. */
export type Role = 'customer' | 'agent' | 'supervisor' | 'auditor' | 'analyst' | 'admin' | 'system';
export const ROLES: readonly Role[] = ['customer', 'agent', 'supervisor', 'auditor', 'analyst', 'admin', 'system'];

export interface Actor {
  id: string;
  role: Role;
  /** For customers: the organization whose staff contact they are. */
  organizationId?: string;
  name?: string;
}

export const isStaffRole = (role: Role): boolean => role === 'agent' || role === 'supervisor';
