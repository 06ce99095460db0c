import { runOrganizationCommand, type OrganizationResult } from '../organization-command-handler.js';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { validateInput } from '../../shared/validate-input.js';
import { ChangeOrganizationTierInput } from '../organization.inputs.js';
import { ChangeOrganizationTierCommand } from './change-organization-tier.command.js';

@CommandHandler(ChangeOrganizationTierCommand)
export class ChangeOrganizationTierHandler implements ICommandHandler<ChangeOrganizationTierCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: ChangeOrganizationTierCommand): Promise<OrganizationResult> {
    const i = validateInput(ChangeOrganizationTierInput, command.input);
    return runOrganizationCommand(this.processor, command.meta, { type: 'ChangeOrganizationTier', organizationId: i.organizationId, tier: i.tier });
  }
}
