/** Finding the processes that share the machine with the benchmark, to account their CPU per phase. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The pid of the process listening on 127.0.0.1/0.0.0.0 `port` (OpenSearch, Kafka), or 0: the
 * listening socket's inode from /proc/net/tcp{,6}, then the process holding it among /proc/<pid>/fd.
 */
export function pidListeningOn(port: number): number {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT, st 0A = LISTEN, inode is field 9.
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1].split(':')[1], 16) === port) inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(entry);
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return 0;
}
