/**
 * Pinning processes to CPUs, so that the proxies compared in one measurement share one CPU and the
 * load generators and the backend keep to another. `taskset` (util-linux) sets the affinity of a
 * running process and all its threads; Node has no call of its own for it.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface CpuPinning {
  /** the CPU the proxies under comparison share */
  readonly proxyCpu: number;
  /** the CPU of the load generators and the backend */
  readonly loadCpu: number;
  /** pins the process and every thread it has (threads it starts later inherit it) */
  pin(pid: number, cpu: number): void;
}

/** Pinning on this machine, or why there is none: fewer than two CPUs, or no taskset. */
export function cpuPinning(): CpuPinning | string {
  const cpus = availableParallelism();
  if (cpus < 2) return `${cpus} CPU: nothing to pin apart`;
  if (spawnSync('taskset', ['--version']).error) return 'taskset not found (util-linux): not pinned';
  return {
    proxyCpu: cpus - 1,
    loadCpu: 0,
    pin(pid, cpu) {
      const result = spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', String(cpu), String(pid)], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`taskset could not pin pid ${pid} to CPU ${cpu}: ${result.stderr.trim() || result.error?.message}`);
    },
  };
}
