/** Raised for the first invalid environment variable; its message is the one line printed at boot. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    readonly allowed: string,
  ) {
    super(`invalid ${variable}=${JSON.stringify(value)}: expected ${allowed}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Small typed readers over an environment snapshot; each throws ConfigError on a bad value. */
export class EnvReader {
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(name, value, `one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  int(name: string, min: number, max: number, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new ConfigError(name, value, `an integer from ${min} to ${max}`);
    }
    return parsed;
  }

  port(name: string, fallback: number): number {
    return this.int(name, 1, 65535, fallback);
  }

  url(name: string, protocols: readonly string[], fallback: string): string {
    const value = this.raw(name) ?? fallback;
    let protocol = '';
    try {
      protocol = new URL(value).protocol.replace(/:$/, '');
    } catch {
      protocol = '';
    }
    if (!protocols.includes(protocol)) {
      throw new ConfigError(name, value, `a ${protocols.map((p) => `${p}://`).join(' or ')} URL`);
    }
    return value;
  }

  pattern(name: string, re: RegExp, allowed: string, fallback?: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!re.test(value)) throw new ConfigError(name, value, allowed);
    return value;
  }
}
