import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { AddContactInput } from '../organization.inputs.js';
import type { OrganizationResult } from '../organization-command-handler.js';

export class AddContactCommand extends Command<OrganizationResult> {
  constructor(
    readonly input: AddContactInput,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
