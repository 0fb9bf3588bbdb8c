import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** Lints a would-be file through the project's ESLint setup; returns the rule ids it breaks. */
function violations(file: string, source: string): string[] {
  execFileSync('npx', ['nx', 'show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
  try {
    execFileSync('npx', ['eslint', '--stdin', '--stdin-filename', file, '--format', 'json'], { cwd: root, input: source, encoding: 'utf8' });
    return [];
  } catch (e) {
    const out = JSON.parse((e as { stdout: string }).stdout) as Array<{ messages: Array<{ ruleId: string }> }>;
    return out.flatMap((r) => r.messages.map((m) => m.ruleId));
  }
}

describe('module boundaries are enforced, not decorative', () => {
  it('stops an app importing another app', () => {
    expect(violations('apps/gateway/src/probe.ts', "import { AppModule } from '../../ingest/src/app.module';\nexport const x = AppModule;\n")).toContain('@nx/enforce-module-boundaries');
  });

  it('stops contracts importing anything of ours', () => {
    expect(violations('libs/contracts/src/probe.ts', "import { KafkaPublisher } from '@signal/platform';\nexport const x = KafkaPublisher;\n")).toContain('@nx/enforce-module-boundaries');
  });

  it('stops deep imports into a lib', () => {
    expect(violations('apps/gateway/src/probe.ts', "import { loadConfig } from '@signal/platform/src/config/config';\nexport const x = loadConfig;\n").length).toBeGreaterThan(0);
  });

  it('lets an app use the libs through their entry points', () => {
    expect(violations('apps/gateway/src/probe.ts', "import { TOPICS } from '@signal/contracts';\nexport const x = TOPICS;\n")).toEqual([]);
  });
});
