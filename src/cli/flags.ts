/** A small flag parser: `--name value`, `--name=value` and boolean `--name`, with environment fallbacks. */

export interface FlagSpec {
  /** Shown in help. */
  description: string;
  /** Default value; booleans default to false. */
  default?: string;
  boolean?: boolean;
  /** Environment variable read when the flag is absent. */
  env?: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses `args` against `specs`; unknown flags and stray arguments are usage errors. */
export function parseFlags(
  args: string[],
  specs: Record<string, FlagSpec>,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) throw new UsageError(`Unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs[name];
    if (!spec) throw new UsageError(`Unknown flag --${name}`);
    if (spec.boolean) {
      values[name] = eq > 0 ? arg.slice(eq + 1) : "true";
    } else if (eq > 0) {
      values[name] = arg.slice(eq + 1);
    } else {
      const next = args[++i];
      if (next === undefined) throw new UsageError(`Flag --${name} needs a value`);
      values[name] = next;
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (values[name] !== undefined) continue;
    const fromEnv = spec.env ? process.env[spec.env] : undefined;
    if (fromEnv !== undefined) values[name] = fromEnv;
    else if (spec.default !== undefined) values[name] = spec.default;
    else if (spec.boolean) values[name] = "false";
  }
  return values;
}

/** The help text of a command's flags. */
export function flagHelp(specs: Record<string, FlagSpec>): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const def = spec.default !== undefined ? ` (default ${spec.default})` : "";
      const env = spec.env ? ` [$${spec.env}]` : "";
      return `  --${name}${spec.boolean ? "" : " VALUE"}\n      ${spec.description}${def}${env}`;
    })
    .join("\n");
}

/** Splits `host:port`; the port must be a number from 0 to 65535. */
export function parseListen(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(":");
  const host = colon > 0 ? text.slice(0, colon).replace(/^\[|\]$/g, "") : "127.0.0.1";
  const port = Number(colon >= 0 ? text.slice(colon + 1) : text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Cannot listen on ${JSON.stringify(text)}: expected HOST:PORT`);
  }
  return { host, port };
}
