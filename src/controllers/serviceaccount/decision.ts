/** The decision of the service account controller, free of I/O. */
import type { Namespace } from "../../api/core/v1/namespace.js";

/** The service accounts every active namespace has (upstream's serviceaccounts-controller default). */
export const DEFAULT_SERVICE_ACCOUNTS: readonly string[] = ["default"];

/**
 * The service accounts to create in a namespace: the wanted ones it lacks, none while the namespace is
 * missing or terminating (a create would be refused, and its content is being deleted anyway).
 */
export function missingServiceAccounts(
  ns: Namespace | undefined,
  exists: (name: string) => boolean,
  wanted: readonly string[] = DEFAULT_SERVICE_ACCOUNTS,
): string[] {
  if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === "Terminating") return [];
  return wanted.filter((name) => !exists(name));
}
