import { UsageError } from '../kit/options';
import { DEFAULT_URL, parseLoadOptions, parseMix } from './options';

const parse = (argv: string[], env: Record<string, string | undefined> = {}) => parseLoadOptions(argv, env);

function problem(argv: string[], env: Record<string, string | undefined> = {}): string {
  try {
    parse(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
}

describe('parseLoadOptions()', () => {
  it('defaults to 20 connections for 30 s of the default mix against the local gateway', () => {
    expect(parse([])).toEqual({
      url: DEFAULT_URL,
      connections: 20,
      durationSeconds: 30,
      mix: { browse: 4, add: 2, view: 2, checkout: 1 },
      users: 1000,
      jsonFile: undefined,
      help: false,
    });
  });

  it('reads every option in both --name value and --name=value form', () => {
    const options = parse(['--url', 'http://gateway:9090', '--connections=50', '--duration', '5', '--mix=browse=1,add=1', '--users', '200', '--json', 'out/load.json']);
    expect(options).toMatchObject({
      url: 'http://gateway:9090',
      connections: 50,
      durationSeconds: 5,
      mix: { browse: 1, add: 1, view: 0, checkout: 0 },
      users: 200,
      jsonFile: 'out/load.json',
    });
  });

  it('takes GATEWAY_URL from the env it is given, and --url over it', () => {
    expect(parse([], { GATEWAY_URL: 'https://lab.example:8443' }).url).toBe('https://lab.example:8443');
    expect(parse(['--url', 'http://127.0.0.1:9000'], { GATEWAY_URL: 'http://elsewhere:1' }).url).toBe('http://127.0.0.1:9000');
    expect(parse([], { GATEWAY_URL: '' }).url).toBe(DEFAULT_URL);
  });

  it('strips a trailing slash from the origin', () => {
    expect(parse(['--url', 'http://127.0.0.1:8080/']).url).toBe('http://127.0.0.1:8080');
  });

  it('rejects a URL that is not an http(s) origin, naming where it came from', () => {
    expect(problem(['--url', 'ftp://host'])).toBe('invalid --url "ftp://host": expected an http:// or https:// origin such as http://127.0.0.1:8080');
    expect(problem(['--url', 'http://host:8080/api'])).toMatch(/^invalid --url/);
    expect(problem(['--url', 'not a url'])).toMatch(/^invalid --url/);
    expect(problem([], { GATEWAY_URL: 'localhost:8080' })).toMatch(/^invalid GATEWAY_URL "localhost:8080"/);
  });

  it.each([
    [['--connections', '0'], 'invalid --connections "0": expected an integer from 1 to 10000'],
    [['--connections', '2.5'], 'invalid --connections "2.5": expected an integer from 1 to 10000'],
    [['--connections', '-3'], 'invalid --connections "-3": expected an integer from 1 to 10000'],
    [['--duration', '30s'], 'invalid --duration "30s": expected an integer from 1 to 86400'],
    [['--duration', ''], 'invalid --duration "": expected an integer from 1 to 86400'],
    [['--users', '0'], 'invalid --users "0": expected an integer from 1 to 1000000'],
  ])('rejects %j', (argv, message) => {
    expect(problem(argv)).toBe(message);
  });

  it('rejects unknown options, stray arguments, repeats and missing values', () => {
    expect(problem(['--rate', '5'])).toBe('unknown option --rate (see --help)');
    expect(problem(['fast'])).toBe('unexpected argument "fast" (see --help)');
    expect(problem(['--duration', '5', '--duration', '6'])).toBe('--duration given twice');
    expect(problem(['--json'])).toBe('--json needs a value');
    expect(problem(['--mix', '--json', 'x'])).toBe('--mix needs a value');
    expect(problem(['--json='])).toBe('invalid --json: expected a file name');
  });

  it('recognises --help and -h', () => {
    expect(parse(['--help']).help).toBe(true);
    expect(parse(['-h', '--duration', '3']).help).toBe(true);
  });
});

describe('parseMix()', () => {
  it('reads action=count pairs and counts the actions left out as 0', () => {
    expect(parseMix('browse=4,add=2,view=2,checkout=1')).toEqual({ browse: 4, add: 2, view: 2, checkout: 1 });
    expect(parseMix(' view = 3 , browse=1 ')).toEqual({ browse: 1, add: 0, view: 3, checkout: 0 });
  });

  it.each([
    ['', /expected a list like browse=4,add=2,view=2,checkout=1/],
    ['browse', /"browse" is not action=count/],
    ['browse=-1', /"browse=-1" is not action=count/],
    ['browse=1.5', /"browse=1.5" is not action=count/],
    ['buy=1', /unknown action "buy"/],
    ['browse=1,browse=2', /browse given twice/],
    ['checkout=1', /at least one of browse, add, view must be above 0/],
    ['browse=0,add=0', /at least one of browse, add, view must be above 0/],
    ['browse=5000', /browse=5000 must be an integer from 0 to 1000/],
  ])('rejects %j', (value, message) => {
    expect(() => parseMix(value)).toThrow(UsageError);
    expect(() => parseMix(value)).toThrow(message);
  });
});
