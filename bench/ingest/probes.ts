import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Linux clock ticks per second (USER_HZ); 100 on every mainstream kernel. */
const TICKS = 100;

function procTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of stat)
  } catch {
    return undefined;
  }
}

/** Processes named `comm` whose command line contains `marker` (a Postgres backend shows its database). */
function pidsNamed(comm: string, marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3] + (cpu[4] ?? 0);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface CpuSnapshot {
  at: number;
  perProcess: Record<string, number>;
  /** CPU seconds of each Postgres backend serving the bench database, by pid (they come and go). */
  backends: Record<number, number>;
  machine: { busy: number; total: number };
}

/**
 * CPU seconds used by the processes of the pipeline (and the whole machine) between two
 * snapshots: on 2 cores, where the time goes matters more than any single number.
 */
export class CpuProbe {
  constructor(
    private readonly pids: Record<string, number>,
    /** Database whose Postgres backends are accounted as "postgres". */
    private readonly database: string,
  ) {}

  snapshot(): CpuSnapshot {
    const perProcess: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) perProcess[name] = (procTicks(pid) ?? 0) / TICKS;
    const backends: Record<number, number> = {};
    for (const pid of pidsNamed('postgres', ` ${this.database} `)) backends[pid] = (procTicks(pid) ?? 0) / TICKS;
    const self = process.cpuUsage();
    perProcess.bench = (self.user + self.system) / 1e6;
    return { at: Date.now(), perProcess, backends, machine: machineTicks() };
  }

  /**
   * CPU used per process in cores (1 = one core busy all the time), the machine's busy share
   * (all cores), and "other": what the rest of the machine used meanwhile (noise).
   */
  static between(a: CpuSnapshot, b: CpuSnapshot): { seconds: number; cores: Record<string, number>; machineBusy: number } {
    const seconds = (b.at - a.at) / 1000;
    const cores: Record<string, number> = {};
    for (const name of Object.keys(b.perProcess)) cores[name] = seconds > 0 ? (b.perProcess[name] - (a.perProcess[name] ?? 0)) / seconds : 0;
    const pg = Object.entries(b.backends).reduce((sum, [pid, t]) => sum + t - (a.backends[Number(pid)] ?? 0), 0);
    cores.postgres = seconds > 0 ? pg / seconds : 0;
    const total = b.machine.total - a.machine.total;
    const machineBusy = total > 0 ? (b.machine.busy - a.machine.busy) / total : 0;
    const ours = Object.values(cores).reduce((x, y) => x + y, 0);
    cores.other = Math.max(0, machineBusy * cpus().length - ours);
    return { seconds, cores, machineBusy };
  }
}

/** Prometheus text format → sum of the samples of `name` whose labels include every `match`. */
export function metricSum(text: string, name: string, match: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const labels = rest[0] === '{' ? rest.slice(1, rest.indexOf('}')) : '';
    if (!Object.entries(match).every(([k, v]) => labels.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function scrape(url: string): Promise<string> {
  try {
    const res = await fetch(`${url}/metrics`);
    return res.ok ? await res.text() : '';
  } catch {
    return '';
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
