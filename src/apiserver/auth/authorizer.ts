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

/** What a user may do in a namespace, as `kubectl auth can-i --list` shows it. */
export interface Rules {
  resourceRules: { verbs: string[]; apiGroups: string[]; resources: string[] }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs: string[] }[];
  /** True when the authorizer cannot list everything it would allow. */
  incomplete: boolean;
}

export interface Authorizer {
  authorize(attrs: AuthorizationAttributes): Decision | Promise<Decision>;
  /** The rules `user` has in `namespace` (SelfSubjectRulesReview). */
  rulesFor(user: UserInfo, namespace: string): Rules | Promise<Rules>;
}

/** Allows everything (RBAC comes with a later issue). */
export class AlwaysAllowAuthorizer implements Authorizer {
  authorize(): Decision {
    return { allowed: true, reason: "" };
  }

  rulesFor(): Rules {
    return {
      resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
      nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
      incomplete: false,
    };
  }
}
