/**
 * Authentication: who sent a request. Until TLS and tokens arrive every request is the cluster admin; the
 * interface is here so the pipeline does not change when they do.
 */
import type { IncomingMessage } from "node:http";

/** The identity of a caller, as the API reports it in reviews and audit. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

export interface Authenticator {
  /** The caller of `req`, or undefined when the request carries no credentials this authenticator knows. */
  authenticate(req: IncomingMessage): UserInfo | undefined | Promise<UserInfo | undefined>;
}

/** The identity every request gets while authentication is permissive. */
export const ADMIN: UserInfo = {
  username: "kates-admin",
  groups: ["system:masters", "system:authenticated"],
};

/** Treats every caller as the cluster admin (no TLS or tokens yet). */
export class AllowAllAuthenticator implements Authenticator {
  authenticate(): UserInfo {
    return ADMIN;
  }
}
