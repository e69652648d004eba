import {
  formatValue,
  GroupedBarChart,
  LineChart,
  linearScale,
  logTicks,
  niceTicks,
  renderBarChart,
  renderChart,
  renderGroupedBarChart,
  renderLineChart,
} from './svg-charts';

/** x (or y) pixel of every tick on an axis, by tick value. */
function tickPositions(svg: string, axis: 'x' | 'y'): Map<number, number> {
  const attribute = axis === 'x' ? 'x1' : 'y1';
  const re = new RegExp(`data-tick="${axis}" data-value="([-\\d.]+)"><line ${axis === 'x' ? '' : 'x1="[\\d.]+" x2="[\\d.]+" '}${attribute}="([-\\d.]+)"`, 'g');
  return new Map([...svg.matchAll(re)].map((match) => [Number(match[1]), Number(match[2])]));
}

/** Where value `v` should land, interpolated between the outermost ticks. */
function expectedPixel(ticks: Map<number, number>, value: number): number {
  const values = [...ticks.keys()].sort((a, b) => a - b);
  const [v0, v1] = [values[0], values[values.length - 1]];
  const [p0, p1] = [ticks.get(v0) ?? NaN, ticks.get(v1) ?? NaN];
  return p0 + ((value - v0) / (v1 - v0)) * (p1 - p0);
}

function attributeOf(fragment: string, name: string): number {
  const match = new RegExp(`\\b${name}="([-\\d.]+)"`).exec(fragment);
  if (!match) throw new Error(`no ${name} in ${fragment}`);
  return Number(match[1]);
}

function element(svg: string, marker: string): string {
  const start = svg.indexOf(marker);
  if (start < 0) throw new Error(`no ${marker} in the svg`);
  return svg.slice(start, svg.indexOf('</g>', start));
}

const seconds = Array.from({ length: 60 }, (_, t) => t);

const crashChart: LineChart = {
  kind: 'line',
  id: 'rps',
  title: 'Throughput around the crash',
  yLabel: 'requests/s',
  series: [
    { name: 'stateful', points: seconds.map((t) => ({ x: t, y: t >= 20 && t < 24 ? 200 : 1000 + t })) },
    { name: 'redis', points: seconds.map((t) => ({ x: t, y: t === 30 ? null : 800 })) },
  ],
  events: [
    { x: 20, label: 'crash cart-2' },
    { x: 22, label: 'crash user-1' },
  ],
  bands: [{ from: 30, to: 45, label: 'redis down' }],
};

describe('linearScale()', () => {
  it('maps the domain onto the range, inverted ranges included', () => {
    const y = linearScale([0, 100], [300, 20]);
    expect(y(0)).toBe(300);
    expect(y(100)).toBe(20);
    expect(y(50)).toBe(160);
  });

  it('maps a zero-width domain to the middle of the range', () => {
    expect(linearScale([5, 5], [0, 10])(5)).toBe(5);
  });
});

describe('niceTicks()', () => {
  it('rounds the domain out to round steps', () => {
    expect(niceTicks(0, 59, 6)).toMatchObject({ min: 0, max: 60, step: 10, values: [0, 10, 20, 30, 40, 50, 60] });
    expect(niceTicks(0, 0.37, 4)).toMatchObject({ min: 0, max: 0.4, step: 0.1, values: [0, 0.1, 0.2, 0.3, 0.4] });
    expect(niceTicks(0, 1234, 5)).toMatchObject({ max: 1250, step: 250 });
  });

  it('survives an empty or degenerate domain', () => {
    expect(niceTicks(0, 0).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(7, 7).min).toBe(0);
    expect(niceTicks(Number.NaN, Number.POSITIVE_INFINITY).values.every(Number.isFinite)).toBe(true);
  });
});

describe('logTicks()', () => {
  it('puts ticks on powers of ten, with 2 and 5 between them over few decades', () => {
    expect(logTicks(3, 4200)).toMatchObject({ min: 1, max: 10_000, values: [1, 10, 100, 1000, 10_000] });
    expect(logTicks(2, 30)).toMatchObject({ min: 1, max: 100, values: [1, 2, 5, 10, 20, 50, 100] });
    expect(logTicks(0.8, 30).values).toEqual([0.1, 1, 10, 100]);
    expect(logTicks(5, 5).values).toEqual([1, 2, 5, 10]);
  });
});

describe('formatValue()', () => {
  it('shortens large numbers and shows fractions as percentages in the percent format', () => {
    expect(formatValue(12_500)).toBe('12.5k');
    expect(formatValue(2_300_000)).toBe('2.3M');
    expect(formatValue(3.14159)).toBe('3.14');
    expect(formatValue(0.333, 'percent')).toBe('33%');
    expect(formatValue(0.05, 'percent')).toBe('5%');
    expect(formatValue(0.25, 'percent', 0.05)).toBe('25%');
    expect(formatValue(2.5, 'number', 0.5)).toBe('2.5');
  });
});

describe('renderLineChart()', () => {
  const svg = renderLineChart(crashChart);

  it('is one svg marked as a line chart, titled first', () => {
    expect(svg).toMatch(/^<svg [^>]*data-chart="line"[^>]*><title id="chart-rps-title">Throughput around the crash<\/title>/);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('places each event marker at its second on the x axis', () => {
    const ticks = tickPositions(svg, 'x');
    expect([...ticks.keys()]).toEqual([0, 10, 20, 30, 40, 50, 60]);
    for (const [x, label] of [
      [20, 'crash cart-2'],
      [22, 'crash user-1'],
    ] as const) {
      const marker = element(svg, `data-event="${label}"`);
      expect(attributeOf(marker, 'x1')).toBeCloseTo(expectedPixel(ticks, x), 0);
      expect(attributeOf(marker, 'x2')).toBe(attributeOf(marker, 'x1'));
      expect(marker).toContain(`>${label}</text>`);
    }
  });

  it('moves a label that would overlap its neighbour to another row', () => {
    const y = (label: string) => Number(/<text x="[\d.]+" y="([\d.]+)"/.exec(element(svg, `data-event="${label}"`))?.[1]);
    expect(y('crash cart-2')).not.toBe(y('crash user-1'));
  });

  it('shades the outage band between its start and end', () => {
    const ticks = tickPositions(svg, 'x');
    const band = element(svg, 'data-band="redis down"');
    const x = attributeOf(band, 'x');
    expect(x).toBeCloseTo(expectedPixel(ticks, 30), 0);
    expect(x + attributeOf(band, 'width')).toBeCloseTo(expectedPixel(ticks, 45), 0);
    expect(svg).toMatch(/<text data-band-label="redis down" x="([\d.]+)"[^>]*>redis down<\/text>/);
    const labelX = Number(/data-band-label="redis down" x="([\d.]+)"/.exec(svg)?.[1]);
    expect(labelX).toBeCloseTo(expectedPixel(ticks, 37.5), 0);
  });

  it('draws one path per series and breaks it where a value is missing', () => {
    const stateful = element(svg, 'data-series="stateful"');
    const redis = element(svg, 'data-series="redis"');
    const d = (fragment: string) => /<path d="([^"]+)"/.exec(fragment)?.[1] ?? '';
    expect(d(stateful).match(/M/g)).toHaveLength(1);
    expect(d(stateful).split(/[ML]/).filter(Boolean)).toHaveLength(60);
    expect(d(redis).match(/M/g)).toHaveLength(2);
    expect(d(redis).split(/[ML]/).filter(Boolean)).toHaveLength(59);
  });

  it('draws larger values higher up and labels the y axis', () => {
    const ticks = tickPositions(svg, 'y');
    const values = [...ticks.keys()].sort((a, b) => a - b);
    expect(values[0]).toBe(0);
    expect(values[values.length - 1]).toBeGreaterThanOrEqual(1059);
    expect(ticks.get(values[values.length - 1])).toBeLessThan(ticks.get(0) ?? 0);
    expect(svg).toContain('>requests/s</text>');
    expect(svg).toContain('>seconds</text>');
  });

  it('lists every series in the legend', () => {
    expect(svg).toContain('data-legend="stateful"');
    expect(svg).toContain('data-legend="redis"');
  });

  it('escapes every label', () => {
    const hostile = renderLineChart({
      ...crashChart,
      title: '<script>alert(1)</script>',
      series: [{ name: 'a&b "q"', points: [{ x: 0, y: 1 }] }],
      events: [{ x: 0, label: "<img src=x onerror='x'>" }],
    });
    expect(hostile).not.toContain('<script>');
    expect(hostile).not.toContain('<img');
    expect(hostile).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(hostile).toContain('data-series="a&amp;b &quot;q&quot;"');
  });

  it('says "no data" rather than drawing NaN when there is nothing to plot', () => {
    const empty = renderLineChart({ kind: 'line', id: 'e', title: 'empty', yLabel: 'ms', series: [{ name: 'none', points: [] }] });
    expect(empty).toContain('>no data</text>');
    expect(empty).not.toMatch(/NaN|Infinity/);
  });

  it('spaces decades evenly on a log scale and leaves values <= 0 out', () => {
    const log = renderLineChart({
      kind: 'line',
      id: 'p99',
      title: 'p99',
      yLabel: 'ms',
      yScale: 'log',
      series: [{ name: 'p99', points: [{ x: 0, y: 2 }, { x: 1, y: 0 }, { x: 2, y: 3000 }, { x: 3, y: 8 }] }],
    });
    const ticks = tickPositions(log, 'y');
    expect([...ticks.keys()]).toEqual([1, 10, 100, 1000, 10_000]);
    const decade = (ticks.get(1) ?? 0) - (ticks.get(10) ?? 0);
    expect((ticks.get(10) ?? 0) - (ticks.get(100) ?? 0)).toBeCloseTo(decade, 0);
    const d = /<path d="([^"]+)"/.exec(log)?.[1] ?? '';
    expect(d.match(/M/g)).toHaveLength(2);
    expect(log).not.toMatch(/NaN|Infinity/);
  });

  it('marks a lone point with a dot', () => {
    const lone = renderLineChart({ kind: 'line', id: 'l', title: 'lone', yLabel: 'ms', series: [{ name: 'one', points: [{ x: 3, y: 4 }] }] });
    expect(lone).toMatch(/<circle cx="[\d.]+" cy="[\d.]+" r="3"/);
  });
});

describe('renderGroupedBarChart()', () => {
  const chart: GroupedBarChart = {
    kind: 'grouped-bar',
    id: 'share',
    title: 'Share of requests per replica',
    yLabel: 'share of requests',
    format: 'percent',
    groups: ['sticky-ring', 'round-robin'],
    series: [
      { name: 'cart-1', values: [0.5, 0.34] },
      { name: 'cart-2', values: [0.25, 0.33] },
      { name: 'cart-3', values: [0.25, 0.33] },
    ],
  };
  const svg = renderGroupedBarChart(chart);

  it('draws one bar per replica in each run', () => {
    expect(svg).toMatch(/data-chart="grouped-bar"/);
    expect(svg.match(/<g class="bar" /g)).toHaveLength(6);
    expect(svg).toContain('data-bar="cart-2" data-group="round-robin" data-value="0.33"');
  });

  it('makes bar heights proportional to the values', () => {
    const height = (series: string, group: string) => attributeOf(element(svg, `data-bar="${series}" data-group="${group}"`).split('<rect')[1], 'height');
    expect(height('cart-1', 'sticky-ring') / height('cart-2', 'sticky-ring')).toBeCloseTo(2, 2);
  });

  it('keeps the bars of a run side by side inside its slot, in series order', () => {
    const x = (series: string) => attributeOf(element(svg, `data-bar="${series}" data-group="sticky-ring"`).split('<rect')[1], 'x');
    expect(x('cart-1')).toBeLessThan(x('cart-2'));
    expect(x('cart-2')).toBeLessThan(x('cart-3'));
    const secondRun = attributeOf(element(svg, 'data-bar="cart-1" data-group="round-robin"').split('<rect')[1], 'x');
    expect(x('cart-3')).toBeLessThan(secondRun);
  });

  it('labels runs under the axis, values as percentages and replicas in the legend', () => {
    expect(svg).toContain('data-group="sticky-ring" x=');
    expect(svg).toContain('>50%</text>');
    expect(svg).toContain('data-legend="cart-3"');
  });
});

describe('renderBarChart()', () => {
  const bars = [
    { label: 'stateful', value: 120 },
    { label: 'redis', value: 0 },
    { label: 'sticky-modulo', value: 480 },
  ];
  const svg = renderBarChart({ kind: 'bar', id: 'lost', title: 'Sessions lost per run', yLabel: 'sessions', bars });

  it('draws a labelled bar per run, zero included', () => {
    expect(svg).toMatch(/data-chart="bar"/);
    expect(svg.match(/<g class="bar" /g)).toHaveLength(3);
    expect(attributeOf(element(svg, 'data-bar="redis"').split('<rect')[1], 'height')).toBe(0);
    expect(svg).toContain('>480</text>');
    expect(svg).toContain('>sticky-modulo</tspan>');
  });

  it('gives the tallest bar the largest value', () => {
    const height = (label: string) => attributeOf(element(svg, `data-bar="${label}"`).split('<rect')[1], 'height');
    expect(height('sticky-modulo') / height('stateful')).toBeCloseTo(4, 2);
  });
});

describe('renderChart()', () => {
  it('dispatches on the kind', () => {
    expect(renderChart(crashChart)).toContain('data-chart="line"');
    expect(renderChart({ kind: 'bar', id: 'b', title: 'b', yLabel: 'n', bars: [] })).toContain('>no data</text>');
  });
});
