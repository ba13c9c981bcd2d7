/**
 * The Node options a worker thread is started with. A Worker refuses per-process options (V8 heap sizes,
 * `--input-type`, ...) that the process's own command line may carry, and would then never start; V8
 * flags apply to the whole process anyway. Only options that change how the worker's own code behaves
 * are passed on.
 */
const WORKER_OPTIONS = new Set(["--enable-source-maps", "--no-warnings"]);

/** The parent's Node options that a worker thread accepts. */
export function workerExecArgv(): string[] {
  return process.execArgv.filter((arg) => WORKER_OPTIONS.has(arg));
}
