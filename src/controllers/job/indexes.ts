/** Completion index sets in the form Job status uses: sorted intervals such as `0-2,5,7-8`. */

/** The indexes below `completions` that `text` lists; malformed parts are skipped. */
export function parseIndexes(text: string, completions: number): Set<number> {
  const out = new Set<number>();
  if (text === "") return out;
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = Math.min(m[2] === undefined ? first : Number(m[2]), completions - 1);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return out;
}

/** The compact text of a set of indexes: ascending, runs of two or more joined with a dash. */
export function formatIndexes(indexes: ReadonlySet<number>): string {
  const sorted = [...indexes].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    const start = sorted[i] ?? 0;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) end = sorted[++i] ?? end;
    i++;
    parts.push(end > start ? `${start}-${end}` : String(start));
  }
  return parts.join(",");
}
