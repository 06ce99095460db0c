import { randomUUID } from 'node:crypto';
import {
  decideOrganization,
  evolveOrganization,
  initialOrganizationState,
  notFound,
  organizationStream,
  type OrganizationCommand,
  type OrganizationEvent,
  type OrganizationState,
} from '@tracedesk/domain';
import type { CommandMeta } from '../shared/command-meta.js';
import type { StreamProcessor } from '../shared/stream-processor.js';

export interface OrganizationResult {
  organization: Extract<OrganizationState, { registered: true }>;
  revision: number;
  position: string;
}

export async function runOrganizationCommand(
  processor: StreamProcessor,
  meta: CommandMeta,
  command: OrganizationCommand,
): Promise<OrganizationResult> {
  const result = await processor.process<OrganizationState, OrganizationEvent>({
    streamId: organizationStream(command.organizationId),
    evolve: evolveOrganization,
    initial: initialOrganizationState,
    meta,
    commandType: command.type,
    decide: (state, now, policy) => decideOrganization(command, state, { now, policy, actor: meta.actor }),
  });
  if (!result.state.registered) throw notFound('ORGANIZATION_NOT_FOUND', `Organization "${command.organizationId}" does not exist.`);
  return { organization: result.state, revision: result.revision, position: result.position.toString() };
}

/** A readable id from a name ("Acme Media" → "acme-media-3f9a"), unique enough and URL-safe. */
export function idFromName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${slug || 'org'}-${randomUUID().slice(0, 4)}`;
}
