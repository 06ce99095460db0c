import { randomUUID } from 'node:crypto';
import { runOrganizationCommand, type OrganizationResult } from '../organization-command-handler.js';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { validateInput } from '../../shared/validate-input.js';
import { AddContactInput } from '../organization.inputs.js';
import { AddContactCommand } from './add-contact.command.js';

@CommandHandler(AddContactCommand)
export class AddContactHandler implements ICommandHandler<AddContactCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: AddContactCommand): Promise<OrganizationResult> {
    const i = validateInput(AddContactInput, command.input);
    return runOrganizationCommand(this.processor, command.meta, { type: 'AddContact', organizationId: i.organizationId, contactId: i.contactId ?? randomUUID(), name: i.name, email: i.email, kind: i.kind });
  }
}
