/**
 * The descendants of a process, read from /proc, so a kill can reach what the CLI started (Bash tool commands, MCP
 * servers) even when they moved to their own process group. Where there is no /proc (macOS, Windows) the lists are
 * empty and only the CLI itself is signalled.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** A process as /proc shows it; `start` (clock ticks since boot) tells a live process from a reused pid. */
export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly start: number;
}

/** Every process on the machine, or an empty list without /proc. */
export function listProcesses(): ProcInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const info = readProc(Number(e));
    if (info) out.push(info);
  }
  return out;
}

export function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), start: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** All descendants of `root` (children, grandchildren, …), deepest last. */
export function descendants(root: number, all: readonly ProcInfo[] = listProcesses()): ProcInfo[] {
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Signals each process that is still the same process (same start time); gone ones are skipped quietly. */
export function signalAll(procs: readonly ProcInfo[], signal: NodeJS.Signals): void {
  for (const p of procs) {
    if (readProc(p.pid)?.start !== p.start) continue;
    try {
      process.kill(p.pid, signal);
    } catch {
      // Exited between the check and the signal.
    }
  }
}
