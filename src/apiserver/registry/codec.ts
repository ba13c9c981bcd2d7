/**
 * How objects are stored and served as JSON. Stored values put `kind`, `apiVersion` and `metadata` first
 * (upstream's order) and carry no resourceVersion, which storage supplies; serving an object then only
 * needs the revision spliced in after `"metadata":{`, with no parse and no second serialisation.
 */
import type { KubeObject } from "../../api/meta/types.js";

const METADATA = '"metadata":{';

/** The stored form of an object: JSON with a fixed head and without metadata.resourceVersion. */
export function encodeObject(obj: KubeObject): string {
  const { kind, apiVersion, metadata, ...rest } = obj;
  const { resourceVersion: _rv, ...meta } = metadata;
  return JSON.stringify({ kind, apiVersion, metadata: meta, ...rest });
}

/**
 * The JSON of a stored value with `revision` as its resourceVersion. Values in the stored layout are
 * spliced; anything else (written by another tool) is parsed and serialised again.
 */
export function withResourceVersion(stored: string, revision: number): string {
  // A JSON string cannot contain `"metadata":{` unescaped, so the first match after the head is the key.
  const at = stored.startsWith('{"kind":') ? stored.indexOf(METADATA) : -1;
  if (at < 0) {
    const obj = JSON.parse(stored) as KubeObject;
    obj.metadata = { ...obj.metadata, resourceVersion: String(revision) };
    return JSON.stringify(obj);
  }
  const cut = at + METADATA.length;
  const rv = `"resourceVersion":"${revision}"`;
  return stored[cut] === "}"
    ? stored.slice(0, cut) + rv + stored.slice(cut)
    : `${stored.slice(0, cut)}${rv},${stored.slice(cut)}`;
}

/**
 * One object as the cache and the handlers pass it around: its JSON with resourceVersion, and the parsed
 * object, built only when someone needs it. The parsed object is shared and must not be mutated.
 */
export class CachedObject {
  readonly key: string;
  readonly json: string;
  readonly revision: number;
  #obj: KubeObject | undefined;

  constructor(key: string, json: string, revision: number, obj?: KubeObject) {
    this.key = key;
    this.json = json;
    this.revision = revision;
    this.#obj = obj;
  }

  get obj(): KubeObject {
    return (this.#obj ??= JSON.parse(this.json) as KubeObject);
  }
}
