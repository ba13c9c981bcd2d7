/**
 * Builds OCI image archives (an OCI image layout in a tar) from layers made in memory: the input
 * `ctr images import` and `kates image load` take. Image names go in each manifest's
 * `org.opencontainers.image.ref.name` annotation as full references (`docker.io/library/busybox:1.35`).
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

import { writeTar, type TarEntry } from "./tar.js";

export const MEDIA_INDEX = "application/vnd.oci.image.index.v1+json";
export const MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json";
export const MEDIA_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

/** A content-addressed blob. */
export interface Blob {
  digest: string;
  data: Buffer;
}

export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

function blob(data: Buffer): Blob {
  return { digest: sha256Digest(data), data };
}

/** A gzipped layer: its blob and its diff ID (the digest of the uncompressed tar). */
export interface Layer {
  blob: Blob;
  diffId: string;
}

export function buildLayer(entries: readonly TarEntry[]): Layer {
  const tar = writeTar(entries);
  return { blob: blob(gzipSync(tar, { level: 9 })), diffId: sha256Digest(tar) };
}

/** The runtime settings of an image config (`config` in the OCI image config). */
export interface ImageRunConfig {
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  User?: string;
}

export interface ImageDefinition {
  /** Full references this image is known by. */
  names: string[];
  layers: Layer[];
  config: ImageRunConfig;
}

/** The architecture name OCI uses for this machine. */
export function ociArchitecture(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ia32: "386" };
  const name = names[arch];
  if (!name) throw new Error(`Cannot name the OCI architecture of ${arch}`);
  return name;
}

/** The config and manifest blobs of one image, and its manifest descriptor without annotations. */
export function buildImage(def: ImageDefinition): { blobs: Blob[]; manifest: Descriptor } {
  const platform = { architecture: ociArchitecture(), os: "linux" };
  const config = blob(
    Buffer.from(
      JSON.stringify({
        ...platform,
        config: def.config,
        rootfs: { type: "layers", diff_ids: def.layers.map((l) => l.diffId) },
        history: def.layers.map(() => ({ created_by: "kates local image builder" })),
      }),
    ),
  );
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_MANIFEST,
        config: { mediaType: MEDIA_CONFIG, digest: config.digest, size: config.data.length },
        layers: def.layers.map((l) => ({
          mediaType: MEDIA_LAYER_GZIP,
          digest: l.blob.digest,
          size: l.blob.data.length,
        })),
      }),
    ),
  );
  return {
    blobs: [...def.layers.map((l) => l.blob), config, manifest],
    manifest: {
      mediaType: MEDIA_MANIFEST,
      digest: manifest.digest,
      size: manifest.data.length,
      platform,
    },
  };
}

/**
 * An OCI layout archive of `images`: `oci-layout`, `index.json` with one entry per name, and each blob
 * once under `blobs/sha256/`.
 */
export function buildOciArchive(images: readonly ImageDefinition[]): Buffer {
  const blobs = new Map<string, Blob>();
  const manifests: Descriptor[] = [];
  for (const def of images) {
    const built = buildImage(def);
    for (const b of built.blobs) blobs.set(b.digest, b);
    for (const name of def.names)
      manifests.push({ ...built.manifest, annotations: { [REF_NAME_ANNOTATION]: name } });
  }

  const index = { schemaVersion: 2, mediaType: MEDIA_INDEX, manifests };
  const entries: TarEntry[] = [
    { type: "file", path: "oci-layout", data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { type: "file", path: "index.json", data: Buffer.from(JSON.stringify(index)) },
    { type: "dir", path: "blobs" },
    { type: "dir", path: "blobs/sha256" },
  ];
  for (const b of blobs.values())
    entries.push({ type: "file", path: `blobs/sha256/${b.digest.slice(7)}`, data: b.data });
  return writeTar(entries);
}
