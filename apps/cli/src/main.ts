/**
 * tracedesk operators' and auditors' CLI. `npm run cli -- --help`.
 */
import { Command } from 'commander';
import { registerAuditCommands } from './audit.commands.js';
import { registerProjectionCommands } from './projections.commands.js';

const program = new Command()
  .name('tracedesk')
  .description('Operate tracedesk: rebuild projections, query read models, audit ticket histories.')
  .showHelpAfterError();

registerProjectionCommands(program);
registerAuditCommands(program);

await program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
