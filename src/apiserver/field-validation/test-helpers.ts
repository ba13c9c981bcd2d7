/** Assertions shared by this folder's tests. */
import { StatusError } from "../../api/errors.js";

/** True when `err` is a StatusError with this code and a message matching `message`. */
export function isStatusError(err: unknown, code: number, message: RegExp | string): boolean {
  if (!(err instanceof StatusError) || err.code !== code) return false;
  return typeof message === "string" ? err.message === message : message.test(err.message);
}
