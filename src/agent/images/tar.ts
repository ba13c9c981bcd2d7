/**
 * A minimal ustar writer for image layers and OCI layout archives: regular files, directories and
 * symbolic links, with fixed owners and times so the same input always gives the same bytes (and digests).
 */

export type TarEntry =
  | { type: "file"; path: string; data: Uint8Array; mode?: number }
  | { type: "dir"; path: string; mode?: number }
  | { type: "symlink"; path: string; target: string };

const BLOCK = 512;

/** The archive of `entries`, in order, ended by the two zero blocks tar expects. */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === "file" ? Buffer.from(e.data) : Buffer.alloc(0);
    parts.push(header(e, data.length));
    if (data.length > 0) {
      parts.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad > 0) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const path = e.type === "dir" && !e.path.endsWith("/") ? `${e.path}/` : e.path;
  const [prefix, name] = splitPath(path);
  const mode = e.type === "symlink" ? 0o777 : (e.mode ?? (e.type === "dir" ? 0o755 : 0o644));

  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, mode);
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, 0); // mtime
  h.fill(0x20, 148, 156); // checksum counts as spaces while it is computed
  h.write(e.type === "file" ? "0" : e.type === "dir" ? "5" : "2", 156, "ascii");
  if (e.type === "symlink") writeString(h, 157, 100, e.target);
  h.write("ustar\u000000", 257, "binary");
  writeString(h, 265, 32, "root");
  writeString(h, 297, 32, "root");
  writeString(h, 345, 155, prefix);

  let sum = 0;
  for (const b of h) sum += b;
  writeOctal(h, 148, 7, sum);
  h[155] = 0x20;
  return h;
}

/** ustar keeps long paths as a prefix (up to 155 bytes) and a name (up to 100), split at a slash. */
function splitPath(path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ["", path];
  for (let i = path.lastIndexOf("/", path.length - 2); i > 0; i = path.lastIndexOf("/", i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  throw new Error(`Cannot write ${path} to a tar archive: the path is too long`);
}

function writeString(h: Buffer, offset: number, len: number, s: string): void {
  const b = Buffer.from(s, "utf8");
  if (b.length > len)
    throw new Error(`Cannot write ${s} to a tar header: longer than ${len} bytes`);
  b.copy(h, offset);
}

function writeOctal(h: Buffer, offset: number, len: number, n: number): void {
  const s = n.toString(8).padStart(len - 1, "0");
  if (s.length > len - 1) throw new Error(`Cannot write ${n} to a tar header: too large`);
  h.write(s + "\u0000", offset, "ascii");
}
