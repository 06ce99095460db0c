/**
 * `npm run token -- --role agent --sub alice [--org acme] [--name "Alice"] [--ttl 8h]`:
 * prints a bearer token signed with the server's key (JWT_SECRET, else DATA_DIR/jwt-secret,
 * created if this runs before the first start).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '@tracedesk/application';
import { loadJwtSecret, signToken, TOKEN_ROLES, type TokenRole } from './auth/jwt.js';

const program = new Command('token')
  .description('Print a bearer token for the tracedesk gateway')
  .addOption(new Option('--role <role>', 'the role').choices(TOKEN_ROLES).makeOptionMandatory())
  .requiredOption('--sub <id>', 'user id (for a customer: its contact id)')
  .option('--org <organizationId>', 'organization (required for customers)')
  .option('--name <name>', 'display name')
  .option('--ttl <duration>', 'lifetime, e.g. 30m, 8h, 7d', (value) => {
    if (!/^\d+\s*(s|sec|m|min|h|hr|d|day|w|week)s?$/i.test(value)) throw new InvalidArgumentError('use a number and a unit, e.g. 30m, 8h, 7d');
    return value;
  }, '8h')
  .action(async (options: { role: TokenRole; sub: string; org?: string; name?: string; ttl: string }) => {
    if (options.role === 'customer' && !options.org) program.error('a customer token needs --org <organizationId>');
    const secret = loadJwtSecret(loadConfig());
    const token = await signToken(secret, { sub: options.sub, role: options.role, ...(options.org && { org: options.org }), ...(options.name && { name: options.name }) }, options.ttl);
    process.stdout.write(`${token}\n`);
  });

await program.parseAsync(process.argv);
