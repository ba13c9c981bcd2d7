/**
 * Access reviews (authorization.k8s.io/v1 SelfSubjectAccessReview and SelfSubjectRulesReview): a POST asks
 * the authorizer about the caller itself and answers with the question plus the verdict. Nothing is stored.
 */
import { StatusError } from "../../api/errors.js";
import type {
  SelfSubjectAccessReview,
  SelfSubjectRulesReview,
} from "../../api/authorization/v1/access-reviews.js";
import type { ResourceDefinition } from "../../api/resource.js";
import { validateObjectMeta } from "../../api/validation.js";
import type { Authorizer } from "../auth/authorizer.js";
import { writeJson } from "../http/respond.js";
import type { RequestContext } from "./context.js";
import { checkWriteParams } from "./params.js";
import { checkTypeMeta, readObject } from "./write.js";
import { copyJson } from "../../util/json-copy.js";

/** Answers a POST to a review resource. */
export async function createReview(
  ctx: RequestContext,
  def: ResourceDefinition,
  authorizer: Authorizer,
): Promise<void> {
  if (ctx.info.verb !== "create" || ctx.info.name) {
    throw StatusError.methodNotAllowed(`${ctx.req.method} is not allowed on ${def.plural}`);
  }
  checkWriteParams(ctx.query);
  const review = checkTypeMeta(def, await readObject(ctx));
  // Reviews are not stored, so their metadata only has to be well formed, not named.
  const errors = [
    ...validateObjectMeta({ ...review.metadata, name: review.metadata.name ?? "review" }, def),
    ...(def.validate?.(review) ?? []),
  ];
  if (errors.length) throw StatusError.invalid(def, review.metadata.name ?? "", errors);

  if (def.kind === "SelfSubjectAccessReview") {
    const r = review as SelfSubjectAccessReview;
    const ra = r.spec.resourceAttributes;
    const nra = r.spec.nonResourceAttributes;
    const decision = await authorizer.authorize({
      user: ctx.user,
      verb: ra?.verb ?? nra?.verb ?? "",
      resource: ra?.resource ?? "",
      subresource: ra?.subresource ?? "",
      group: ra?.group ?? "",
      namespace: ra?.namespace ?? "",
      name: ra?.name ?? "",
      path: nra?.path ?? "",
    });
    r.status = { allowed: decision.allowed };
    if (decision.reason) r.status.reason = decision.reason;
  } else {
    const r = review as SelfSubjectRulesReview;
    const rules = await authorizer.rulesFor(ctx.user, r.spec?.namespace ?? "");
    r.status = copyJson(rules);
  }
  writeJson(ctx.res, 201, review);
}
