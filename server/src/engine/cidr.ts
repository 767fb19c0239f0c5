/**
 * IP addresses and CIDR blocks as Elasticsearch's `ip` field type handles them: IPv4 and IPv6 are
 * both stored as 16 bytes (IPv4 as IPv4-mapped IPv6 `::ffff:a.b.c.d`), so `10.0.0.1` and
 * `::ffff:10.0.0.1` are the same address, and terms sort by those bytes
 * (reference: "IP field type"; `InetAddresses` / `CIDRUtils` in Elasticsearch).
 */

/** 16 address bytes. */
export type IpBytes = Uint8Array;

function parseIPv4(s: string, out: IpBytes, offset: number): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    // Java's InetAddresses rejects empty parts, more than 3 digits and leading zeros beyond "0".
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return false;
    const n = Number(p);
    if (n > 255) return false;
    out[offset + i] = n;
  }
  return true;
}

/**
 * Parses an IPv4 or IPv6 address literal (no brackets, no zone id).
 * @returns 16 bytes (IPv4 mapped into `::ffff:0:0/96`), or undefined when it is not an address.
 */
export function parseIp(s: string): IpBytes | undefined {
  const out = new Uint8Array(16);
  if (!s.includes(':')) {
    out[10] = 0xff;
    out[11] = 0xff;
    return parseIPv4(s, out, 12) ? out : undefined;
  }
  let text = s;
  let tail4: IpBytes | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = new Uint8Array(16);
    if (!parseIPv4(text.slice(lastColon + 1), tail4, 12)) return undefined;
    // Replace the dotted tail by two placeholder groups.
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : halves[1].split(':')) : [];
  const groups = halves.length === 2 ? head.length + rest.length : head.length;
  if (halves.length === 1 && groups !== 8) return undefined;
  if (halves.length === 2 && groups > 7) return undefined;
  const write = (list: string[], start: number): boolean => {
    for (let i = 0; i < list.length; i++) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(list[i])) return false;
      const v = parseInt(list[i], 16);
      out[(start + i) * 2] = v >> 8;
      out[(start + i) * 2 + 1] = v & 0xff;
    }
    return true;
  };
  if (!write(head, 0)) return undefined;
  if (!write(rest, 8 - rest.length)) return undefined;
  if (tail4) out.set(tail4.subarray(12), 12);
  return out;
}

/** Compares two addresses by their 16 bytes (the order of `ip` terms). */
export function compareIp(a: IpBytes, b: IpBytes): number {
  for (let i = 0; i < 16; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

/** A CIDR block: address bytes and prefix length in bits over the 16-byte form. */
export interface CidrBlock {
  bytes: IpBytes;
  prefixBits: number;
}

/**
 * Parses `a.b.c.d/n`, `x::y/n`, or a plain address (a block of one).
 * @returns the block, or undefined when the text is not an address or the prefix is out of range
 *   (0–32 for IPv4, 0–128 for IPv6).
 */
export function parseCidr(s: string): CidrBlock | undefined {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const bytes = parseIp(addr);
  if (!bytes) return undefined;
  const v4 = !addr.includes(':');
  if (slash < 0) return { bytes, prefixBits: 128 };
  const p = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p)) return undefined;
  const n = Number(p);
  if (n > (v4 ? 32 : 128)) return undefined;
  return { bytes, prefixBits: v4 ? n + 96 : n };
}

/** True when `ip` lies inside `block`. */
export function cidrContains(block: CidrBlock, ip: IpBytes): boolean {
  let bits = block.prefixBits;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((block.bytes[i] & mask) !== (ip[i] & mask)) return false;
  }
  return true;
}

/**
 * Formats address bytes as Elasticsearch prints `ip` values (`DocValueFormat.IP`): dotted quad for
 * IPv4-mapped addresses, otherwise compressed IPv6 (longest zero run as `::`).
 */
export function formatIp(b: IpBytes): string {
  let mapped = true;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) mapped = false;
  if (mapped && b[10] === 0xff && b[11] === 0xff) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[i * 2] << 8) | b[i * 2 + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
