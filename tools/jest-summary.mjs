// Prints the one closing line CI reads: "jest: N passed, N failed".
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  // A suite that fails to load has no tests: count it as a failure, not as nothing.
  failed += r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  if (!r.success && failed === 0) failed = 1;
} catch (e) {
  console.error(`no jest results in ${file}: ${e.message}`);
  failed = 1;
}
console.log(`jest: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
