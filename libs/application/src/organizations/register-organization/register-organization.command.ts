import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { RegisterOrganizationInput } from '../organization.inputs.js';
import type { OrganizationResult } from '../organization-command-handler.js';

export class RegisterOrganizationCommand extends Command<OrganizationResult> {
  constructor(
    readonly input: RegisterOrganizationInput,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
