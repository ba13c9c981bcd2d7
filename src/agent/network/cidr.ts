/**
 * IPv4 addresses and CIDR blocks as plain numbers: parsing, subnetting and overlap, for the address
 * plan.
 */

/** An IPv4 block: its first address as an unsigned 32-bit number and its prefix length. */
export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

/** Parses a dotted IPv4 address; throws on anything else. */
export function parseIp(text: string): number {
  const parts = text.split(".");
  if (
    parts.length !== 4 ||
    parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)
  ) {
    throw new Error(`Cannot parse IPv4 address ${JSON.stringify(text)}`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** The dotted form of an address number. */
export function formatIp(ip: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join(".");
}

/** Parses `A.B.C.D/N`; the address must be the block's first address (no host bits set). */
export function parseCidr(text: string): Cidr {
  const match = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text);
  const prefix = Number(match?.[2]);
  if (!match || prefix > 32) {
    throw new Error(`Cannot parse CIDR ${JSON.stringify(text)}: want A.B.C.D/N with N at most 32`);
  }
  const base = parseIp(match[1] ?? "");
  if (base % blockSize(prefix) !== 0) {
    throw new Error(
      `Cannot use CIDR ${text}: host bits are set (did you mean ${formatCidr({ base: base - (base % blockSize(prefix)), prefix })}?)`,
    );
  }
  return { base, prefix };
}

/** The `A.B.C.D/N` form of a block. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.base)}/${cidr.prefix}`;
}

/** How many addresses a block of this prefix length holds. */
export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** The `index`-th block of length `prefix` inside `outer` (index 0 is the first). */
export function subnet(outer: Cidr, prefix: number, index: number): Cidr {
  if (prefix < outer.prefix || index < 0 || index >= subnetCount(outer, prefix)) {
    throw new Error(`Cannot take /${prefix} number ${index} of ${formatCidr(outer)}: out of range`);
  }
  return { base: outer.base + index * blockSize(prefix), prefix };
}

/** How many blocks of length `prefix` fit in `outer`. */
export function subnetCount(outer: Cidr, prefix: number): number {
  return prefix < outer.prefix ? 0 : 2 ** (prefix - outer.prefix);
}

/** The address at `offset` from the block's first address (offset 1 is the usual gateway). */
export function hostAt(cidr: Cidr, offset: number): number {
  if (offset < 0 || offset >= blockSize(cidr.prefix)) {
    throw new Error(`Cannot take address ${offset} of ${formatCidr(cidr)}: out of range`);
  }
  return cidr.base + offset;
}

/** Whether two blocks share any address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + blockSize(a.prefix);
  const bEnd = b.base + blockSize(b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/** Whether `ip` lies inside `cidr`. */
export function contains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.base && ip < cidr.base + blockSize(cidr.prefix);
}
