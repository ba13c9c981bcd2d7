/** Authorization: may this user do this? Permissive until RBAC arrives; the interface is final. */
import type { UserInfo } from "./authenticator.js";

/** What a request tries to do, as RBAC will match it. */
export interface AuthorizationAttributes {
  user: UserInfo;
  verb: string;
  /** Empty for non-resource requests. */
  resource: string;
  subresource: string;
  group: string;
  namespace: string;
  name: string;
  /** The path, for non-resource requests such as /version. */
  path: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): Decision | Promise<Decision>;
}

/** Allows everything (RBAC comes with a later issue). */
export class AlwaysAllowAuthorizer implements Authorizer {
  authorize(): Decision {
    return { allowed: true, reason: "" };
  }
}
