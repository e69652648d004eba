import { fileOption, integerOption, originOption, parseCommandLine, UsageError } from './options';

const SPEC = { values: ['json'], lists: ['only'], flags: ['quick'] } as const;

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseCommandLine()', () => {
  it('reads --name value, --name=value, flags, short flags and repeated lists', () => {
    const { values, positionals } = parseCommandLine(['crash', '--json', 'a.json', '--only=x', '--only', 'y', '--quick', '-h'], { ...SPEC, positionals: 1 });
    expect(values).toEqual({ json: 'a.json', only: ['x', 'y'], quick: true, help: true });
    expect(positionals).toEqual(['crash']);
  });

  it('gives defaults for what is not there', () => {
    expect(parseCommandLine([], SPEC).values).toEqual({ json: undefined, only: [], quick: false, help: false });
  });

  it('takes a value that starts with a single dash', () => {
    expect(parseCommandLine(['--json', '-3'], SPEC).values.json).toBe('-3');
  });

  it('rejects unknown options, stray arguments, repeats, missing and unwanted values', () => {
    expect(problem(() => parseCommandLine(['--rate', '5'], SPEC))).toBe('unknown option --rate (see --help)');
    expect(problem(() => parseCommandLine(['-x'], SPEC))).toBe('unknown option -x (see --help)');
    expect(problem(() => parseCommandLine(['fast'], SPEC))).toBe('unexpected argument "fast" (see --help)');
    expect(problem(() => parseCommandLine(['--json', 'a', '--json=b'], SPEC))).toBe('--json given twice');
    expect(problem(() => parseCommandLine(['--json'], SPEC))).toBe('--json needs a value');
    expect(problem(() => parseCommandLine(['--json', '--quick'], SPEC))).toBe('--json needs a value');
    expect(problem(() => parseCommandLine(['--quick=yes'], SPEC))).toBe('--quick takes no value');
    expect(problem(() => parseCommandLine(['--', 'x'], SPEC))).toBe('unexpected argument "--" (see --help)');
  });
});

describe('integerOption()', () => {
  it('reads an integer in range and passes undefined through', () => {
    expect(integerOption('42', '--n', 1, 100)).toBe(42);
    expect(integerOption(undefined, '--n', 1, 100)).toBeUndefined();
  });

  it.each(['0', '101', '2.5', '-3', '', '1e2'])('rejects %j', (value) => {
    expect(problem(() => integerOption(value, '--n', 1, 100))).toBe(`invalid --n ${JSON.stringify(value)}: expected an integer from 1 to 100`);
  });
});

describe('originOption()', () => {
  it('keeps the origin of an http(s) URL without a path', () => {
    expect(originOption('http://127.0.0.1:8080/', '--url')).toBe('http://127.0.0.1:8080');
    expect(originOption('https://lab.example:8443', '--url')).toBe('https://lab.example:8443');
  });

  it.each(['ftp://host', 'http://host/api', 'http://host/?q=1', 'not a url'])('rejects %j', (value) => {
    expect(problem(() => originOption(value, '--url'))).toMatch(/^invalid --url .*: expected an http:\/\/ or https:\/\/ origin/);
  });
});

describe('fileOption()', () => {
  it('rejects a blank file name', () => {
    expect(fileOption('out.json', '--json')).toBe('out.json');
    expect(problem(() => fileOption(' ', '--json'))).toBe('invalid --json: expected a file name');
  });
});
