/** The scheduler's decision core: snapshot, plugins, scheduling cycle and preemption. */
export { FitError, NO_NODES_AVAILABLE } from "./fit-error.js";
export {
  DEFAULT_FILTERS,
  DEFAULT_SCORES,
  numFeasibleNodesToFind,
  Scheduler,
  type ScheduleResult,
  type ScheduleSuccess,
  type SchedulerOptions,
} from "./framework.js";
export { NodeInfo } from "./node-info.js";
export { newPodInfo, podKey, type PodInfo } from "./pod-info.js";
export { defaultNormalize, SKIP, type FilterPlugin, type ScorePlugin } from "./plugin.js";
export {
  preempt,
  preemptionIneligibility,
  type PreemptionResult,
  type PreemptOptions,
} from "./preemption.js";
export { seededRandom } from "./random.js";
export { computePodRequests, type PodRequests, type Resources } from "./resources.js";
export { Snapshot } from "./snapshot.js";
export { MAX_NODE_SCORE, PluginName, type FailureCode, type Status } from "./status.js";
