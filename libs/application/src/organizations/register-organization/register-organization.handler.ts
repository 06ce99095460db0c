import { idFromName, runOrganizationCommand, type OrganizationResult } from '../organization-command-handler.js';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { validateInput } from '../../shared/validate-input.js';
import { RegisterOrganizationInput } from '../organization.inputs.js';
import { RegisterOrganizationCommand } from './register-organization.command.js';

@CommandHandler(RegisterOrganizationCommand)
export class RegisterOrganizationHandler implements ICommandHandler<RegisterOrganizationCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: RegisterOrganizationCommand): Promise<OrganizationResult> {
    const i = validateInput(RegisterOrganizationInput, command.input);
    return runOrganizationCommand(this.processor, command.meta, { type: 'RegisterOrganization', organizationId: i.id ?? idFromName(i.name), name: i.name, tier: i.tier });
  }
}
