// Turns jest's --json output into the one line CI reads: "N passed, M failed, K skipped".
// A failed lint or type-check (npm test exits non-zero before or besides jest) counts as a failure.
import { existsSync, readFileSync } from 'node:fs';

const [file, statusArg] = process.argv.slice(2);
const status = Number(statusArg ?? 1);
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(file)) {
  const results = JSON.parse(readFileSync(file, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0);
  skipped = results.numPendingTests + (results.numTodoTests ?? 0);
  for (const suite of results.testResults) {
    for (const test of suite.assertionResults) {
      if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') console.log(`skipped: ${test.fullName}`);
    }
  }
} else {
  console.log('jest did not run (lint or type-check failed first)');
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
