/** Raised for a missing or invalid setting; the message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads typed values out of an environment map. Every accessor names the variable in its error.
 * Empty strings count as unset, as upstream does.
 */
export class EnvReader {
  constructor(private readonly env: Env) {}

  has(name: string): boolean {
    const v = this.env[name];
    return v !== undefined && v !== '';
  }

  /** The first set variable of `names` (aliases), or undefined. */
  raw(...names: string[]): { name: string; value: string } | undefined {
    for (const name of names) {
      const value = this.env[name];
      if (value !== undefined && value !== '') return { name, value };
    }
    return undefined;
  }

  optional<T>(name: string | string[], parse: (raw: string) => T): T | undefined {
    const found = this.raw(...(Array.isArray(name) ? name : [name]));
    if (!found) return undefined;
    try {
      return parse(found.value);
    } catch (err) {
      throw new ConfigError(found.name, err instanceof Error ? err.message : String(err));
    }
  }

  withDefault<T>(name: string | string[], parse: (raw: string) => T, fallback: T): T {
    const v = this.optional(name, parse);
    return v === undefined ? fallback : v;
  }

  required<T>(name: string, parse: (raw: string) => T, hint = ''): T {
    const v = this.optional(name, parse);
    if (v === undefined) throw new ConfigError(name, `is required${hint ? ` (${hint})` : ''}`);
    return v;
  }

  string(name: string | string[], fallback: string): string {
    return this.withDefault(name, (s) => s, fallback);
  }
}
