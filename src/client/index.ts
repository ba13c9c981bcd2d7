/** The client library: everything controllers, the scheduler and node agents use to talk to the API. */
export * from "./api-error.js";
export * from "./client.js";
export * from "./clock.js";
export * from "./event-correlator.js";
export * from "./event-recorder.js";
export * from "./indexer.js";
export * from "./informer-factory.js";
export * from "./informer.js";
export * from "./kubeconfig.js";
export * from "./leader-elector.js";
export * from "./lister.js";
export * from "./rate-limiter.js";
export * from "./resource.js";
export * from "./watch.js";
export * from "./work-queue.js";
