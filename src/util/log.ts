/**
 * The one structured logger. Messages are constant; variables go in keys (`pod: "default/web-0"`). A line
 * is written as logfmt: `time=… level=info component=apiserver msg="Serving API" address=127.0.0.1:6443`.
 * Libraries do not log; components create a logger and pass children down.
 */

export type Level = "error" | "warn" | "info" | "debug";

const LEVELS: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface LoggerOptions {
  /** Lines at this level and above are written. */
  level?: Level;
  /** Where lines go; standard error by default. */
  write?: (line: string) => void;
}

export type Fields = Record<string, unknown>;

/** A logger with fixed keys; `child()` adds more. */
export class Logger {
  readonly #fields: Fields;
  readonly #threshold: number;
  readonly #write: (line: string) => void;

  constructor(opts: LoggerOptions = {}, fields: Fields = {}) {
    this.#threshold = LEVELS[opts.level ?? levelFromEnv()];
    this.#write = opts.write ?? ((line) => process.stderr.write(line));
    this.#fields = fields;
  }

  /** A logger that adds `fields` to every line. */
  child(fields: Fields): Logger {
    return new Logger(
      { level: levelName(this.#threshold), write: this.#write },
      { ...this.#fields, ...fields },
    );
  }

  /** Whether a line at `level` would be written (to skip building costly fields). */
  enabled(level: Level): boolean {
    return LEVELS[level] <= this.#threshold;
  }

  error(msg: string, fields?: Fields): void {
    this.#log("error", msg, fields);
  }

  warn(msg: string, fields?: Fields): void {
    this.#log("warn", msg, fields);
  }

  info(msg: string, fields?: Fields): void {
    this.#log("info", msg, fields);
  }

  debug(msg: string, fields?: Fields): void {
    this.#log("debug", msg, fields);
  }

  #log(level: Level, msg: string, fields?: Fields): void {
    if (LEVELS[level] > this.#threshold) return;
    let line = `time=${new Date().toISOString()} level=${level}`;
    for (const [k, v] of Object.entries(this.#fields)) line += ` ${k}=${formatValue(v)}`;
    line += ` msg=${formatValue(msg)}`;
    if (fields) for (const [k, v] of Object.entries(fields)) line += ` ${k}=${formatValue(v)}`;
    this.#write(line + "\n");
  }
}

function levelName(threshold: number): Level {
  return (Object.keys(LEVELS) as Level[]).find((l) => LEVELS[l] === threshold) ?? "info";
}

function levelFromEnv(): Level {
  const env = process.env["KATES_LOG_LEVEL"];
  return env && env in LEVELS ? (env as Level) : "info";
}

function formatValue(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === "string") return /^[\w./:@-]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined)
    return String(v);
  return JSON.stringify(v);
}

/** A logger that writes nothing, for tests. */
export const silentLogger = new Logger({ write: () => {} });
