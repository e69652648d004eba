import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

export interface ChromiumRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What every Chromium of the tests runs with: no sandbox or GPU (root, no display), and nothing that reaches the network on its own. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Runs headless Chromium with a fresh profile (`workDir/profile`) and `args`; kills it (only it)
 * if it outlives `timeoutMs`.
 */
export function runChromium(workDir: string, profile: string, args: readonly string[], timeoutMs = 45_000): Promise<ChromiumRun> {
  const flags = ['--headless', ...CHROMIUM_FLAGS, `--user-data-dir=${path.join(workDir, profile)}`, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, flags, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chromium did not finish within ${timeoutMs} ms: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The DOM of `file` as headless Chromium renders it; rejects unless Chromium exits with 0. */
export async function dumpDom(workDir: string, file: string): Promise<string> {
  const run = await runChromium(workDir, 'profile', ['--dump-dom', `file://${file}`]);
  if (run.code !== 0) throw new Error(`chromium exited with ${run.code}: ${run.stderr.slice(-2000)}`);
  return run.stdout;
}
