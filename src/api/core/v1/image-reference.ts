/**
 * Container image references (`registry:5000/team/app:1.2@sha256:…`), read the way the kubelet and
 * the API server's defaulting read them: the grammar of the distribution project's reference
 * package.
 */

const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const MAX_NAME_LENGTH = 255;

/** The parts of an image reference. */
export interface ImageReference {
  name: string;
  tag?: string;
  digest?: string;
}

/**
 * Parses an image reference; undefined when it is not a valid one (such as an empty or upper-case
 * name).
 */
export function parseImageReference(image: string): ImageReference | undefined {
  const m = REFERENCE.exec(image);
  if (!m?.[1] || m[1].length > MAX_NAME_LENGTH) return undefined;
  const ref: ImageReference = { name: m[1] };
  if (m[2]) ref.tag = m[2];
  if (m[3]) ref.digest = m[3];
  return ref;
}

/**
 * The pull policy an image gets when none is given: Always for the `latest` tag (which a reference
 * with neither tag nor digest implies), IfNotPresent otherwise, including for references that do
 * not parse.
 */
export function defaultPullPolicy(image: string | undefined): "Always" | "IfNotPresent" {
  const ref = parseImageReference(image ?? "");
  if (!ref) return "IfNotPresent";
  const tag = ref.tag ?? (ref.digest ? "" : "latest");
  return tag === "latest" ? "Always" : "IfNotPresent";
}
