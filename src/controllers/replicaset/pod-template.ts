/** The pod a controller creates from its pod template (upstream's GetPodFromTemplate). */
import type { Pod } from "../../api/core/v1/pod.js";
import type { PodTemplateSpec } from "../../api/core/v1/pod-spec.js";
import type { OwnerReference } from "../../api/meta/types.js";
import { checkDNS1123Subdomain } from "../../api/validation.js";
import { copyJson } from "../../util/json-copy.js";

/**
 * The `generateName` of a controller's pods: `<name>-`, or the bare name when that would not make
 * a valid name prefix (the server then appends the random suffix to the name itself).
 */
export function podNamePrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  // Upstream checks a prefix as a name after replacing its last two characters with "a".
  const masked = `${controllerName.slice(0, -1)}a`;
  return checkDNS1123Subdomain(masked).length === 0 ? prefix : controllerName;
}

/**
 * A new pod from `template`: its labels, annotations, finalizers and spec copied, named by
 * `generateName` from the controller's name, in the controller's namespace, controlled by
 * `controllerRef`. Throws when the template has no labels, since such a pod could never be found
 * again by its controller (upstream refuses it the same way).
 */
export function podFromTemplate(
  template: PodTemplateSpec | undefined,
  controller: { name: string; namespace?: string | undefined },
  controllerRef: OwnerReference | undefined,
): Pod {
  const meta = template?.metadata;
  if (!meta?.labels || Object.keys(meta.labels).length === 0) {
    throw new Error(
      `Cannot create pods for ${controller.namespace ?? ""}/${controller.name}: unable to create pods, no labels`,
    );
  }
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { generateName: podNamePrefix(controller.name), labels: { ...meta.labels } },
    spec: copyJson(template?.spec ?? {}),
  };
  if (controller.namespace) pod.metadata.namespace = controller.namespace;
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  if (controllerRef) pod.metadata.ownerReferences = [{ ...controllerRef }];
  return pod;
}
