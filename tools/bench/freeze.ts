/**
 * Freezes (SIGSTOP) or thaws (SIGCONT) processes. A bench that measures several labs or peers in
 * rotation keeps the ones not being measured frozen: an idle statelab lab still spends a few % of
 * a core on its timers (health checks, gauges, the span exporter), which would be taken from
 * whichever one is measured.
 */
export function freezeProcesses(pids: Iterable<number>, frozen: boolean): void {
  for (const pid of pids) {
    try {
      process.kill(pid, frozen ? 'SIGSTOP' : 'SIGCONT');
    } catch {
      // Gone: the caller's run reports it.
    }
  }
}

/** Seconds of unmeasured load after a thaw, so the timers that were due and the new connections settle first. */
export const RESUME_WARMUP_SECONDS = 1;
