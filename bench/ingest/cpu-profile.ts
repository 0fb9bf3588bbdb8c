/**
 * Preloaded into a service by run.sh when BENCH_CPU_PROF=1 (`node -r dist/bench/ingest/cpu-profile.js`).
 * SIGWINCH starts the V8 sampling profiler; the next SIGWINCH writes
 * $BENCH_PROF_DIR/$BENCH_PROF_NAME-<n>.cpuprofile. So the benchmark profiles exactly the phase
 * it measures, not start-up. (`--cpu-prof` writes nothing when Nest's shutdown hook ends the
 * process by re-raising SIGTERM.) Open the files in Chrome DevTools or summarise them with
 * `node dist/bench/ingest/profile-top.js <file>`. SIGWINCH because Nest's enableShutdownHooks()
 * treats SIGUSR2 as a shutdown signal, and SIGWINCH is harmless to a process that does not listen.
 */
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const dir = resolve(process.env.BENCH_PROF_DIR || '.cache/bench/prof');
const name = process.env.BENCH_PROF_NAME || `node-${process.pid}`;
const session = new Session();
session.connect();
let running = false;
let seq = 0;

process.on('SIGWINCH', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
    return;
  }
  running = false;
  session.post('Profiler.stop', (err, result) => {
    if (err) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(resolve(dir, `${name}-${++seq}.cpuprofile`), JSON.stringify(result.profile));
  });
});
