/**
 * ImageLocality: prefers nodes that already hold the pod's images, weighting each image by its size
 * and by how widely it is spread (an image on every node says little about any one of them).
 */
import type { ScorePlugin } from "../plugin.js";
import { SKIP } from "../plugin.js";
import { normalizedImageName, type ImageState } from "../snapshot.js";
import { MAX_NODE_SCORE, PluginName } from "../status.js";

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

interface ImageLocalityState {
  images: ImageState[];
  totalNodes: number;
  containers: number;
}

/** Upstream's calculatePriority: the summed image score clamped to thresholds, scaled to 100. */
export function imageScore(sum: number, containers: number): number {
  const max = MAX_CONTAINER_THRESHOLD * containers;
  const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
  return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
}

/** Scores nodes by the size of the pod's images they already hold (weight 1). */
export const imageLocalityScore: ScorePlugin<ImageLocalityState> = {
  name: PluginName.ImageLocality,
  weight: 1,
  preScore(pod, _nodes, snapshot) {
    const containers = [
      ...(pod.pod.spec?.initContainers ?? []),
      ...(pod.pod.spec?.containers ?? []),
    ];
    const images: ImageState[] = [];
    for (const c of containers) {
      const state = c.image ? snapshot.image(normalizedImageName(c.image)) : undefined;
      if (state) images.push(state);
    }
    // With no image present anywhere, every node scores 0: nothing to compute.
    if (images.length === 0) return SKIP;
    return { images, totalNodes: snapshot.list().length, containers: containers.length };
  },
  score(state, _pod, node) {
    let sum = 0;
    for (const image of state.images) {
      if (!image.nodes.has(node.name)) continue;
      sum += Math.trunc(image.size * (image.nodes.size / state.totalNodes));
    }
    return imageScore(sum, state.containers);
  },
};
