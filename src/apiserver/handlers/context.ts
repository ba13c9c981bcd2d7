/** What every handler of one request gets: the request, its parsed path, the caller, and the response. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ResourceDefinition } from "../../api/resource.js";
import type { UserInfo } from "../auth/authenticator.js";
import type { Store } from "../registry/store.js";
import type { RequestInfo } from "../request-info.js";

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  user: UserInfo;
}

/** A request for a known resource: the context plus the resource's definition and store. */
export interface ResourceContext extends RequestContext {
  def: ResourceDefinition;
  store: Store;
}
