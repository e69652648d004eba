import { defaultColumns, renderHtmlReport, ReportInput } from './html-report';

const input: ReportInput = {
  title: 'Modes: stateful vs redis',
  experiment: 'modes',
  startedAt: '2026-01-02T03:04:05.000Z',
  runs: [
    {
      mode: 'stateful',
      routing: 'sticky-ring',
      throughputRps: 9123.456,
      latencyMs: { p50: 1.2, p95: 3.4, p99: 5.6 },
      servedBy: { 'cart-1': 10 },
      timeline: [{ t: 0, rps: 1 }],
      nested: { deeper: { ignored: 1 } },
    },
    { mode: 'redis', routing: 'round-robin', throughputRps: 7000, latencyMs: { p50: 1.5, p95: 4, p99: 7 }, ok: true },
  ],
  charts: [
    { kind: 'line', id: 'rps', title: 'Requests per second', yLabel: 'req/s', series: [{ name: 'stateful', points: [{ x: 0, y: 1 }, { x: 1, y: 2 }] }] },
    { kind: 'grouped-bar', id: 'share', title: 'Share per replica', yLabel: 'share', format: 'percent', groups: ['a'], series: [{ name: 'cart-1', values: [1] }] },
    { kind: 'bar', id: 'lost', title: 'Sessions lost', yLabel: 'sessions', bars: [{ label: 'stateful', value: 3 }] },
  ],
};

describe('defaultColumns()', () => {
  it('flattens scalar fields and objects of scalars in first-seen order, leaving arrays and deeper objects out', () => {
    expect(defaultColumns(input.runs).map((column) => column.key)).toEqual([
      'mode',
      'routing',
      'throughputRps',
      'latencyMs.p50',
      'latencyMs.p95',
      'latencyMs.p99',
      'servedBy.cart-1',
      'ok',
    ]);
  });
});

describe('renderHtmlReport()', () => {
  const html = renderHtmlReport(input);

  it('is one HTML document with the title, experiment and start time', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>Modes: stateful vs redis</title>');
    expect(html).toContain('experiment <b>modes</b>');
    expect(html).toContain('<time datetime="2026-01-02T03:04:05.000Z">2026-01-02 03:04:05 UTC</time>');
  });

  it('embeds every chart as an inline svg, in order', () => {
    expect([...html.matchAll(/<svg [^>]*data-chart="([a-z-]+)"/g)].map((match) => match[1])).toEqual(['line', 'grouped-bar', 'bar']);
    expect(html).toContain('<h2>Sessions lost</h2>');
  });

  it('fetches nothing: no scripts, no links, no external URLs, and a CSP that forbids them', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  });

  it('tabulates the runs with formatted numbers and blanks for missing values', () => {
    expect(html).toContain('<th scope="col" class="num">latencyMs.<wbr>p99</th>');
    expect(html).toContain('<th scope="col">mode</th>');
    expect(html).toContain('<td class="num">9,123.46</td>');
    expect(html).toContain('<td>yes</td>');
    expect(html).toMatch(/<td>round-robin<\/td>(<td[^>]*>[^<]*<\/td>)*<td>–<\/td>/);
    expect(html).not.toContain('timeline');
  });

  it('uses the columns it is given', () => {
    const custom = renderHtmlReport({ ...input, columns: [{ key: 'mode', label: 'State mode' }, { key: 'latencyMs.p95', label: 'p95 (ms)' }] });
    expect(custom).toContain('<thead><tr><th scope="col">State mode</th><th scope="col" class="num">p95 (ms)</th></tr></thead>');
  });

  it('escapes every text it did not write itself', () => {
    const hostile = renderHtmlReport({
      ...input,
      title: '</title><script>alert(1)</script>',
      experiment: '"><b>x',
      description: 'a < b & c',
      runs: [{ mode: '<i>stateful</i>' }],
    });
    expect(hostile).not.toContain('<script>');
    expect(hostile).not.toContain('<i>stateful');
    expect(hostile).toContain('&lt;/title&gt;&lt;script&gt;');
    expect(hostile).toContain('a &lt; b &amp; c');
    expect(hostile).toContain('&quot;&gt;&lt;b&gt;x');
  });

  it('says so when there are no runs', () => {
    expect(renderHtmlReport({ ...input, runs: [], charts: [] })).toContain('No runs recorded.');
  });
});
