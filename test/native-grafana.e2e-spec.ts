import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { load } from 'js-yaml';
import { childEnvironment } from '@app/config';
import { httpRequest, waitUntil } from '../tools/kit';
import { prometheusAvailable } from '../tools/lab/prometheus';
import { descendantsOf, LauncherProcess, smallLabEnvironment, stillRunning } from './support/launcher';

const REPO = path.resolve(__dirname, '..');

/**
 * A stand-in for Grafana (no Grafana binary exists here): first on PATH as `grafana`, it records
 * its arguments, its GF_* environment and every provisioning file it was given, and answers
 * /api/health on the address Grafana would listen on, until SIGTERM.
 */
function writeStandIn(binDir: string, recordFile: string): void {
  mkdirSync(binDir, { recursive: true });
  const script = `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const files = {};
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else files[path.relative(process.env.GF_PATHS_PROVISIONING, file)] = fs.readFileSync(file, 'utf8');
  }
};
walk(process.env.GF_PATHS_PROVISIONING);
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('GF_')));
fs.writeFileSync(${JSON.stringify(recordFile)}, JSON.stringify({ argv: process.argv.slice(2), env, files, pid: process.pid }));
const server = http.createServer((request, response) => {
  response.writeHead(request.url === '/api/health' ? 200 : 404, { 'content-type': 'application/json' });
  response.end(request.url === '/api/health' ? '{"database":"ok","version":"stand-in"}' : '{}');
});
server.listen(Number(process.env.GF_SERVER_HTTP_PORT), process.env.GF_SERVER_HTTP_ADDR);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
  writeFileSync(path.join(binDir, 'grafana'), script);
  chmodSync(path.join(binDir, 'grafana'), 0o755);
}

interface StandInRecord {
  argv: string[];
  env: Record<string, string>;
  files: Record<string, string>;
  pid: number;
}

describe('npm run lab with Grafana on PATH', () => {
  let folder: string;
  let launcher: LauncherProcess;
  let record: StandInRecord;
  let children: number[] = [];

  beforeAll(async () => {
    if (!prometheusAvailable()) throw new Error('this suite needs prometheus on PATH (apt-get install prometheus)');
    folder = mkdtempSync(path.join(tmpdir(), 'statelab-grafana-test-'));
    const recordFile = path.join(folder, 'stand-in.json');
    writeStandIn(path.join(folder, 'bin'), recordFile);
    const env = childEnvironment(await smallLabEnvironment(folder, { STATE_MODE: 'stateful' }));
    env.PATH = `${path.join(folder, 'bin')}${path.delimiter}${env.PATH ?? ''}`;
    launcher = new LauncherProcess(folder, env);
    await launcher.ready();
    children = descendantsOf(launcher.pid);
    record = JSON.parse(readFileSync(recordFile, 'utf8')) as StandInRecord;
  }, 90_000);

  afterAll(() => {
    launcher?.kill();
    for (const pid of stillRunning(children)) process.kill(pid, 'SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  });

  it('starts it as `grafana server` on 127.0.0.1 at GRAFANA_PORT and prints its URL', async () => {
    const url = launcher.url('grafana');
    expect(url).toBe(`http://127.0.0.1:${record.env.GF_SERVER_HTTP_PORT}`);
    expect(record.argv[0]).toBe('server');
    expect(record.env.GF_SERVER_HTTP_ADDR).toBe('127.0.0.1');
    expect((await httpRequest(`${url}/api/health`, { timeoutMs: 2000 })).status).toBe(200);
  });

  it('provisions the Prometheus datasource at the Prometheus the launcher started, which answers', async () => {
    const prometheus = launcher.url('prometheus') as string;
    const datasources = load(record.files[path.join('datasources', 'datasources.yml')]) as {
      datasources: { uid: string; type: string; url: string; isDefault: boolean }[];
    };
    expect(datasources.datasources).toEqual([expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: prometheus, isDefault: true })]);
    expect((await httpRequest(`${prometheus}/-/ready`, { timeoutMs: 2000 })).status).toBe(200);
    // …and that Prometheus scrapes this lab's gateway.
    await waitUntil(
      'Prometheus to list the gateway as a target',
      async () =>
        JSON.parse((await httpRequest(`${prometheus}/api/v1/targets`, { timeoutMs: 2000 })).text).data.activeTargets.some(
          (target: { labels: { job: string } }) => target.labels.job === 'gateway',
        ),
      { timeoutMs: 15_000 },
    );
  });

  it("provisions the repository's dashboards, anonymous viewers and Overview as the home dashboard", () => {
    const dashboards = path.join(REPO, 'grafana', 'dashboards');
    const providers = load(record.files[path.join('dashboards', 'dashboards.yml')]) as { providers: { type: string; options: { path: string } }[] };
    expect(providers.providers).toEqual([expect.objectContaining({ type: 'file', options: expect.objectContaining({ path: dashboards }) })]);
    expect(readdirSync(dashboards)).toEqual(expect.arrayContaining(['overview.json', 'state.json', 'routing.json', 'redis.json']));
    expect(record.env).toEqual(
      expect.objectContaining({
        GF_AUTH_ANONYMOUS_ENABLED: 'true',
        GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
        GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: path.join(dashboards, 'overview.json'),
      }),
    );
  });

  it('keeps its data in a temporary folder that Ctrl-C removes, with the process', async () => {
    const dataDir = record.env.GF_PATHS_DATA;
    expect(dataDir.startsWith(path.join(folder, 'statelab-grafana-'))).toBe(true);
    expect(existsSync(dataDir)).toBe(true);
    launcher.interrupt();
    await launcher.exited();
    expect(launcher.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^grafana\s+stopped$/)]));
    expect(existsSync(path.dirname(dataDir))).toBe(false);
    expect(stillRunning([record.pid])).toEqual([]);
  });
});
