/**
 * `node watchdog.js <run.json> <launcher pid>`: started by the launcher (see LabRun), in its own
 * process group, reading a pipe only the launcher holds. When the pipe closes the launcher is
 * gone; if it left its run record behind (it did not stop cleanly, e.g. SIGKILL), this takes
 * down the children recorded there (Prometheus, redis-server, …) and removes their temporary
 * directories, so nothing keeps the lab's ports or folders.
 */
import { readRunRecord, reclaimRun } from './lab-run';

const [file, launcherPid] = process.argv.slice(2);
// A Ctrl-C sent to every process of the terminal must not end the watchdog before the launcher.
process.on('SIGINT', () => undefined);
process.stdin.resume();
process.stdin.on('close', () => {
  const record = file ? readRunRecord(file) : undefined;
  if (!record || String(record.launcherPid) !== launcherPid) process.exit(0);
  void reclaimRun(file).finally(() => process.exit(0));
});
