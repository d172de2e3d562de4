// Where the source curve goes when a depth edit's layer map is known. Output layer j copies source layer map[j].

/** Source layer → x of its first contiguous run of copies: interposition ×2 puts layer i at 2i + 0.5, between its
 *  two copies; stack puts it on its first copy, so the curve lies on the first block and the seam stands out. */
export function layerSpans(map: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  let j = 0;
  while (j < map.length) {
    let end = j;
    while (end + 1 < map.length && map[end + 1] === map[j]) end++;
    if (!out.has(map[j])) out.set(map[j], (j + end) / 2);
    j = end + 1;
  }
  return out;
}

/** Output layers where the sequence restarts (map[j] < map[j-1]): stack's block boundaries, SOLAR's splice. */
export function seamsOf(map: readonly number[]): number[] {
  const out: number[] = [];
  for (let j = 1; j < map.length; j++) if (map[j] < map[j - 1]) out.push(j);
  return out;
}
