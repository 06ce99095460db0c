import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { RemoveContactInput } from '../organization.inputs.js';
import type { OrganizationResult } from '../organization-command-handler.js';

export class RemoveContactCommand extends Command<OrganizationResult> {
  constructor(
    readonly input: RemoveContactInput,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
