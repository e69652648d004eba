import type { ChildProcess } from 'node:child_process';

/** True while the child has neither exited nor been killed by a signal. */
export function isRunning(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

/**
 * SIGTERM, then SIGKILL when the child outlives `graceMs`; resolves once it has exited, so
 * nothing outlives its owner. A child that already exited resolves at once.
 */
export async function stopChild(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
