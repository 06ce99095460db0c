import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { ChangeOrganizationTierInput } from '../organization.inputs.js';
import type { OrganizationResult } from '../organization-command-handler.js';

export class ChangeOrganizationTierCommand extends Command<OrganizationResult> {
  constructor(
    readonly input: ChangeOrganizationTierInput,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
