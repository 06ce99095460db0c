import { runOrganizationCommand, type OrganizationResult } from '../organization-command-handler.js';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { validateInput } from '../../shared/validate-input.js';
import { RemoveContactInput } from '../organization.inputs.js';
import { RemoveContactCommand } from './remove-contact.command.js';

@CommandHandler(RemoveContactCommand)
export class RemoveContactHandler implements ICommandHandler<RemoveContactCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: RemoveContactCommand): Promise<OrganizationResult> {
    const i = validateInput(RemoveContactInput, command.input);
    return runOrganizationCommand(this.processor, command.meta, { type: 'RemoveContact', organizationId: i.organizationId, contactId: i.contactId });
  }
}
