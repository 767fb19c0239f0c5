/**
 * The large sample of the cancellation tests: `count` process events, one per line, with
 * `@timestamp` = their 0-based position (epoch ms) and `x` = "v0" … "v96" in turn (so
 * `length(x) == 2` holds for 10 of every 97 events and no prefilter literal can skip a line).
 * @returns the NDJSON text (lines joined by `\n`, no final line end).
 */
export function processEventsText(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`{"@timestamp":${i},"event":{"category":"process"},"x":"v${i % 97}"}`);
  return lines.join('\n');
}
