import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { ESLint } from 'eslint';

/**
 * Proves the Nx boundary rule is enforced, not only declared: the rule silently skips itself
 * when Nx has no project graph, so this lints forbidden imports and expects errors.
 */
describe('Nx module boundaries', () => {
  let eslint: ESLint;
  beforeAll(() => {
    execFileSync(process.execPath, ['node_modules/nx/dist/bin/nx.js', 'show', 'projects'], {
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: 'ignore',
    });
    eslint = new ESLint({ cwd: process.cwd() });
  }, 60000);

  async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
    const [result] = await eslint.lintText(source, { filePath });
    return (result?.messages ?? [])
      .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
      .map((m) => m.message);
  }

  it('refuses an adapter importing the domain rules', async () => {
    const errors = await boundaryErrors(
      'libs/event-store/src/lib/boundary-probe.ts',
      "import { addBusinessTime } from '@tracedesk/sla';\nexport const probe = addBusinessTime;\n",
    );
    expect(errors.join('\n')).toMatch(/type:adapter.*can only depend on libs tagged with.*type:adapter/s);
  });

  it('refuses a pure library importing a storage adapter', async () => {
    const errors = await boundaryErrors(
      'libs/sla/src/boundary-probe.ts',
      "import { SqliteEventStore } from '@tracedesk/event-store';\nexport const probe = SqliteEventStore;\n",
    );
    expect(errors.join('\n')).toMatch(/type:pure.*can only depend on libs tagged with.*type:pure/s);
  });

  it('refuses the utility library importing any other library, and lets every layer import it', async () => {
    const errors = await boundaryErrors(
      'libs/util/src/boundary-probe.ts',
      "import { parseSlaPolicy } from '@tracedesk/sla';\nexport const probe = parseSlaPolicy;\n",
    );
    expect(errors.join('\n')).toMatch(/type:util.*can only depend on libs tagged with.*type:util/s);
    for (const filePath of ['libs/sla/src/boundary-probe.ts', 'libs/read-models/src/lib/boundary-probe.ts', 'libs/application/src/boundary-probe.ts']) {
      expect(await boundaryErrors(filePath, "import { deepFreeze } from '@tracedesk/util';\nexport const probe = deepFreeze;\n")).toEqual([]);
    }
  });

  it('allows an import that respects the boundaries', async () => {
    const errors = await boundaryErrors(
      'libs/event-store/src/lib/boundary-probe.ts',
      "import { SqliteEventStore } from './sqlite/sqlite-event-store.js';\nexport const probe = SqliteEventStore;\n",
    );
    expect(errors).toEqual([]);
  });
});
