import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CORE_SCHEMA, dump, load, mergeTag } from 'js-yaml';
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  DATASOURCES_FILE,
  DatasourceRef,
  durationMs,
  flattenPanels,
  functionsIn,
  GRAFANA_DIR,
  isQueryPanel,
  listAnnotationQueries,
  listPanelQueries,
  loadDashboards,
  metricNamesIn,
  PROMQL_FUNCTIONS,
  rangeWindowsIn,
  substituteGrafanaVariables,
} from './support/dashboards';

const REPO = path.resolve(__dirname, '..');
const readYaml = (file: string) => load(readFileSync(file, 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as any;

const histogram = (name: string) => [`${name}_bucket`, `${name}_count`, `${name}_sum`];

/** The lab's own metrics (LAB-SPEC §5 and the gateway/replica metric list). */
const LAB_METRICS = [
  ...histogram('http_server_request_duration_seconds'),
  ...histogram('lab_rpc_client_duration_seconds'),
  ...histogram('lab_rpc_server_duration_seconds'),
  ...histogram('lab_state_store_duration_seconds'),
  'lab_session_lookups_total',
  'lab_routed_requests_total',
  'lab_routed_replicas',
  'lab_replica_up',
  'lab_rescale_keys_moved',
  'lab_rescale_keys_moved_ratio',
  'lab_rescales_total',
  'lab_known_sessions',
  'lab_experiment_phase',
  'lab_fault_active',
  'lab_info',
  'lab_sessions_active',
  'lab_carts_active',
  'lab_orders_created_total',
  ...histogram('lab_ws_delivery_seconds'),
  'lab_ws_connections',
  'lab_ws_messages_total',
  'lab_ws_reconnects_total',
  'lab_ws_upgrades_total',
  'lab_ws_proxied_connections',
];

/**
 * Names checked against prometheus-redis-exporter 1.45 scraping redis-server 7.0 (a private
 * instance, `curl /metrics`); the compose image (oliver006/redis_exporter 1.62) keeps them.
 */
const REDIS_EXPORTER_METRICS = [
  'redis_up',
  'redis_instance_info',
  'redis_uptime_in_seconds',
  'redis_commands_processed_total',
  'redis_commands_total',
  'redis_commands_duration_seconds_total',
  'redis_commands_failed_calls_total',
  'redis_commands_rejected_calls_total',
  'redis_connected_clients',
  'redis_blocked_clients',
  'redis_connections_received_total',
  'redis_rejected_connections_total',
  'redis_memory_used_bytes',
  'redis_memory_used_rss_bytes',
  'redis_memory_used_dataset_bytes',
  'redis_memory_used_peak_bytes',
  'redis_memory_max_bytes',
  'redis_db_keys',
  'redis_db_keys_expiring',
  'redis_keyspace_hits_total',
  'redis_keyspace_misses_total',
  'redis_expired_keys_total',
  'redis_evicted_keys_total',
  'redis_net_input_bytes_total',
  'redis_net_output_bytes_total',
  'redis_cpu_sys_seconds_total',
  'redis_cpu_user_seconds_total',
];

/** Series Prometheus writes itself for every target. */
const SCRAPE_METRICS = ['up'];

/** What prom-client's collectDefaultMetrics() exports, asked of prom-client itself. */
async function promClientDefaultMetrics(): Promise<string[]> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = await registry.getMetricsAsJSON();
  registry.clear();
  return metrics.flatMap((metric) => (String(metric.type) === 'histogram' ? histogram(metric.name) : [metric.name]));
}

function datasourceUid(ref: DatasourceRef | string | null | undefined): string | undefined {
  return typeof ref === 'string' ? ref : (ref?.uid ?? undefined);
}

function promtoolAvailable(): boolean {
  const result = spawnSync('promtool', ['--version'], { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

const dashboards = loadDashboards();
const queries = listPanelQueries();
const queryPanels = dashboards.flatMap(({ dashboard }) => flattenPanels(dashboard).filter(isQueryPanel).map((panel) => ({ uid: dashboard.uid, panel })));

describe('PromQL helpers', () => {
  describe('metricNamesIn()', () => {
    it('finds metric names and skips functions, aggregations, keywords, label names and strings', () => {
      const expr =
        'histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{job="gateway",http_route!~"/metrics"}[$__rate_interval])))' +
        ' / on (service) group_left max by (service) (lab_routed_replicas) or vector(0) and lab_info offset 5m';
      expect(metricNamesIn(expr).sort()).toEqual(['http_server_request_duration_seconds_bucket', 'lab_info', 'lab_routed_replicas']);
    });

    it('counts a bare metric, a {__name__=…} selector and a number-like suffix correctly', () => {
      expect(metricNamesIn('up')).toEqual(['up']);
      expect(metricNamesIn('{__name__="lab_info"} * 1e3')).toEqual(['lab_info']);
      expect(metricNamesIn('count_values("mode", lab_info) > bool 0')).toEqual(['lab_info']);
    });
  });

  describe('substituteGrafanaVariables()', () => {
    const values = { interval: '2s', rateInterval: '8s', range: '15m' };

    it('replaces the built-in variables in both spellings', () => {
      expect(substituteGrafanaVariables('rate(x[$__rate_interval]) + changes(y[${__range}]) / $__range_s', values)).toBe('rate(x[8s]) + changes(y[15m]) / 900');
    });

    it('refuses a variable it does not know', () => {
      expect(() => substituteGrafanaVariables('rate(x{service="$service"}[1m])', values)).toThrow(/\$service/);
    });
  });
});

describe('Grafana provisioning', () => {
  const provisioning = readYaml(DATASOURCES_FILE);
  const datasources: any[] = provisioning.datasources;

  it('provisions Prometheus with uid "prometheus", a 2 s time interval and trace_id exemplars linked to Jaeger', () => {
    const prometheus = datasources.find((ds) => ds.type === 'prometheus');
    const jaeger = datasources.find((ds) => ds.type === 'jaeger');
    expect(prometheus).toMatchObject({ uid: 'prometheus', url: 'http://prometheus:9090', jsonData: { timeInterval: '2s' } });
    expect(jaeger).toMatchObject({ uid: 'jaeger', url: 'http://jaeger:16686' });
    expect(prometheus.jsonData.exemplarTraceIdDestinations).toEqual([{ name: 'trace_id', datasourceUid: 'jaeger' }]);
  });

  it('loads the dashboards from the folder docker-compose mounts, and makes the overview the home dashboard', () => {
    const compose = readYaml(path.join(REPO, 'docker-compose.yml'));
    const grafana = compose.services.grafana;
    const mounts = new Map<string, string>(
      (grafana.volumes as (string | { source: string; target: string })[]).map((volume) => {
        if (typeof volume !== 'string') return [volume.target, volume.source];
        const [source, target] = volume.split(':');
        return [target, source];
      }),
    );
    const provisioningSource = mounts.get('/etc/grafana/provisioning');
    expect(provisioningSource).toBeDefined();
    expect(path.resolve(REPO, provisioningSource as string)).toBe(path.join(GRAFANA_DIR, 'provisioning'));

    const providers: any[] = readYaml(path.join(GRAFANA_DIR, 'provisioning', 'dashboards', 'dashboards.yml')).providers;
    expect(providers).toHaveLength(1);
    expect(providers[0].type).toBe('file');
    const dashboardsSource = mounts.get(providers[0].options.path);
    expect(dashboardsSource).toBeDefined();
    expect(path.resolve(REPO, dashboardsSource as string)).toBe(path.join(GRAFANA_DIR, 'dashboards'));

    for (const [target, source] of mounts) {
      if (source.startsWith('.') || source.startsWith('/')) expect({ target, exists: existsSync(path.resolve(REPO, source)) }).toEqual({ target, exists: true });
    }

    const home: string = grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    const homeFile = path.join(GRAFANA_DIR, 'dashboards', path.relative(providers[0].options.path, home));
    expect(existsSync(homeFile)).toBe(true);
    expect(JSON.parse(readFileSync(homeFile, 'utf8')).uid).toBe('statelab-overview');
  });
});

describe('Grafana dashboards', () => {
  it('are the four statelab dashboards, with unique uids', () => {
    const uids = dashboards.map(({ dashboard }) => dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids).toEqual(expect.arrayContaining(['statelab-overview', 'statelab-state', 'statelab-routing', 'statelab-redis']));
  });

  it('refresh every 5 s and open on the last 15 minutes', () => {
    for (const { file, dashboard } of dashboards) {
      expect({ file, refresh: dashboard.refresh, time: dashboard.time }).toEqual({ file, refresh: '5s', time: { from: 'now-15m', to: 'now' } });
    }
  });

  it('give every panel an id that is unique within its dashboard', () => {
    for (const { dashboard } of dashboards) {
      const ids = flattenPanels(dashboard).map((panel) => panel.id);
      expect(ids.every((id) => Number.isInteger(id))).toBe(true);
      expect({ dashboard: dashboard.uid, duplicates: ids.filter((id, i) => ids.indexOf(id) !== i) }).toEqual({ dashboard: dashboard.uid, duplicates: [] });
    }
  });

  it('give panels titles that are unique within their dashboard, so a failing query names one panel', () => {
    for (const { dashboard } of dashboards) {
      const titles = flattenPanels(dashboard).filter(isQueryPanel).map((panel) => panel.title);
      expect({ dashboard: dashboard.uid, duplicates: titles.filter((title, i) => titles.indexOf(title) !== i) }).toEqual({ dashboard: dashboard.uid, duplicates: [] });
    }
  });

  it('give every panel other than rows and text at least one query, a title and a description', () => {
    const lacking = queryPanels
      .filter(({ panel }) => !(panel.targets ?? []).some((target) => typeof target.expr === 'string' && target.expr.trim() !== '') || !panel.title || !panel.description)
      .map(({ uid, panel }) => `${uid}: ${panel.title ?? panel.id}`);
    expect(lacking).toEqual([]);
  });

  it('query the prometheus datasource on every panel and target, and a provisioned datasource in annotations', () => {
    const provisioned = new Set<string>((readYaml(DATASOURCES_FILE).datasources as any[]).map((ds) => ds.uid));
    const wrong: string[] = [];
    for (const { uid, panel } of queryPanels) {
      if (datasourceUid(panel.datasource) !== 'prometheus' || (panel.datasource as DatasourceRef).type !== 'prometheus') wrong.push(`${uid}: ${panel.title}`);
      for (const target of panel.targets ?? []) {
        if (datasourceUid(target.datasource) !== 'prometheus') wrong.push(`${uid}: ${panel.title} ${target.refId}`);
      }
    }
    for (const { dashboard } of dashboards) {
      for (const annotation of dashboard.annotations?.list ?? []) {
        const ds = datasourceUid(annotation.datasource);
        if (!annotation.builtIn && (ds === undefined || !provisioned.has(ds))) wrong.push(`${dashboard.uid}: annotation ${annotation.name}`);
      }
    }
    expect(provisioned.has('prometheus')).toBe(true);
    expect(wrong).toEqual([]);
  });

  it('query only metrics that the lab, prom-client, the Redis exporter or Prometheus itself export', async () => {
    const known = new Set([...LAB_METRICS, ...REDIS_EXPORTER_METRICS, ...SCRAPE_METRICS, ...(await promClientDefaultMetrics())]);
    const unknown = [...queries, ...listAnnotationQueries().map((a) => ({ ...a, panel: `annotation ${a.name}` }))].flatMap(({ dashboard, panel, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !known.has(name))
        .map((name) => `${dashboard} / ${panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('call only PromQL functions that exist', () => {
    const misspelt = queries.flatMap(({ dashboard, panel, expr }) => functionsIn(expr).filter((fn) => !PROMQL_FUNCTIONS.has(fn)).map((fn) => `${dashboard} / ${panel}: ${fn}(`));
    expect(misspelt).toEqual([]);
  });

  it('cover what LAB-SPEC §5 asks of each dashboard', () => {
    const metricsOf = (uid: string) => new Set(queries.filter((q) => q.dashboard === uid).flatMap((q) => metricNamesIn(q.expr)));
    const expected: Record<string, string[]> = {
      'statelab-overview': ['lab_info', 'http_server_request_duration_seconds_count', 'http_server_request_duration_seconds_bucket', 'lab_rpc_client_duration_seconds_bucket', 'lab_experiment_phase'],
      'statelab-state': ['lab_session_lookups_total', 'lab_sessions_active', 'lab_carts_active', 'lab_state_store_duration_seconds_bucket', 'lab_orders_created_total'],
      'statelab-routing': ['lab_routed_requests_total', 'lab_routed_replicas', 'lab_replica_up', 'process_start_time_seconds', 'lab_rescale_keys_moved', 'lab_rescale_keys_moved_ratio'],
      'statelab-realtime': ['lab_ws_connections', 'lab_ws_messages_total', 'lab_ws_delivery_seconds_bucket', 'lab_ws_reconnects_total'],
      'statelab-redis': ['redis_up', 'redis_commands_total', 'redis_commands_duration_seconds_total', 'redis_memory_used_bytes', 'redis_connected_clients', 'redis_db_keys'],
    };
    for (const [uid, metrics] of Object.entries(expected)) {
      const present = metricsOf(uid);
      expect({ uid, missing: metrics.filter((metric) => !present.has(metric)) }).toEqual({ uid, missing: [] });
    }
  });

  it('mark every Redis dashboard panel "(redis mode)" and store panels that filter on one store with its mode', () => {
    const redisPanels = queries.filter((q) => q.dashboard === 'statelab-redis');
    expect(redisPanels.filter((q) => q.mode !== 'redis').map((q) => q.panel)).toEqual([]);
    const oneStore = queries.filter((q) => /store="(memory|redis)"/.test(q.expr));
    for (const q of oneStore) {
      expect({ panel: q.panel, mode: q.mode }).toEqual({ panel: q.panel, mode: /store="memory"/.test(q.expr) ? 'stateful' : 'redis' });
    }
    expect(new Set(queries.map((q) => q.mode))).toEqual(new Set(['any', 'stateful', 'redis']));
  });

  it('use rate windows a 30 s experiment fills: $__rate_interval, $__range or at most 1 minute', () => {
    const tooLong = queries.flatMap(({ dashboard, panel, rawExpr }) =>
      rangeWindowsIn(rawExpr)
        .filter((window) => window !== '$__rate_interval' && window !== '$__range' && !(/^\d+[smh]$/.test(window) && durationMs(window) <= 60_000))
        .map((window) => `${dashboard} / ${panel}: [${window}]`),
    );
    expect(tooLong).toEqual([]);
  });

  it('show exemplars on every latency-quantile graph of a histogram that carries trace ids', () => {
    const graphs = queryPanels.filter(({ panel }) => panel.type === 'timeseries');
    const withoutExemplars = graphs.flatMap(({ uid, panel }) =>
      (panel.targets ?? [])
        .filter((target) => /histogram_quantile\(/.test(target.expr ?? '') && /(http_server_request|lab_rpc_client|lab_rpc_server)_duration_seconds_bucket/.test(target.expr ?? ''))
        .filter((target) => target.exemplar !== true)
        .map((target) => `${uid} / ${panel.title} ${target.refId}`),
    );
    expect(withoutExemplars).toEqual([]);
  });

  it('give every graph, stat and gauge a unit, seconds on latency panels', () => {
    const problems = queryPanels.flatMap(({ uid, panel }) => {
      const unit = panel.fieldConfig?.defaults?.unit;
      if (!unit) return [`${uid} / ${panel.title}: no unit`];
      const quantiles = (panel.targets ?? []).every((target) => /^histogram_quantile\(/.test(target.expr ?? ''));
      return quantiles && unit !== 's' ? [`${uid} / ${panel.title}: latency in ${unit}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it('leave no Grafana variable in the queries sent to Prometheus', () => {
    expect(queries.length).toBeGreaterThan(40);
    expect(queries.filter((q) => q.expr.includes('$')).map((q) => `${q.dashboard} / ${q.panel}`)).toEqual([]);
  });

  const itWithPromtool = promtoolAvailable() ? it : it.skip;
  itWithPromtool(`parse with promtool${promtoolAvailable() ? '' : ' (skipped: no promtool on PATH)'}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'statelab-promql-'));
    try {
      const all = [...queries.map((q) => ({ where: `${q.dashboard}_${q.panelId}_${q.refId}`, expr: q.expr })), ...listAnnotationQueries().map((a, i) => ({ where: `${a.dashboard}_annotation_${i}`, expr: a.expr }))];
      const rules = all.map(({ where, expr }) => ({ record: `statelab_check:${where.replace(/[^A-Za-z0-9_]/g, '_')}`, expr }));
      const file = path.join(dir, 'dashboards.rules.yml');
      writeFileSync(file, dump({ groups: [{ name: 'statelab-dashboards', rules }] }));
      const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect({ status: result.status, output: result.status === 0 ? '' : `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: '' });
      expect(result.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('listPanelQueries()', () => {
  it('lists one query per target, with the panel title, its mode and Grafana-equivalent windows', () => {
    const hitRate = queries.find((q) => q.dashboard === 'statelab-state' && q.panel === 'Session hit rate');
    expect(hitRate).toMatchObject({ mode: 'any' });
    expect(hitRate?.expr).toContain('[8s]');
    const redisUp = queries.find((q) => q.dashboard === 'statelab-redis' && q.panel === 'Redis up');
    expect(redisUp).toMatchObject({ mode: 'redis', expr: 'max(redis_up{job="redis"})' });
    const restarts = queries.find((q) => q.expr.startsWith('changes(process_start_time_seconds'));
    expect(restarts?.expr).toContain('[15m]');
  });

  it('takes other windows when asked, e.g. 30 s rate windows for a slower check', () => {
    const slow = listPanelQueries({ rateInterval: '30s' });
    expect(slow.some((q) => q.expr.includes('[30s]'))).toBe(true);
    expect(slow.some((q) => q.expr.includes('[8s]'))).toBe(false);
  });
});
