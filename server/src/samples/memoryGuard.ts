/**
 * Stops a replay before it exhausts the JavaScript heap. A replay keeps the events some filter of
 * the rule passes (`ReplaySession`), and all of them for explanations; a broad rule over gigabytes
 * of samples can keep more than the heap holds, and V8 then ends the process with no word (exit
 * 134, "JavaScript heap out of memory"). Checked between chunks, the heap in use is compared with
 * V8's limit (`v8.getHeapStatistics()`: `used_heap_size`, `heap_size_limit`, in bytes), and the
 * replay is stopped with a {@link ReplayMemoryError} that says what to do.
 */
import { getHeapStatistics } from 'node:v8';

/**
 * Share of the old generation's limit past which a replay stops. V8 runs out at its old-generation
 * limit, which is `heap_size_limit` less the young generation (3 semi-spaces of 16 MiB on 64-bit
 * V8); the margin leaves room for the chunk being read and for garbage not yet collected.
 */
export const HEAP_USE_LIMIT = 0.8;
const YOUNG_GENERATION_BYTES = 48 * 2 ** 20;
/** Consecutive checks over the limit before stopping (garbage is collected in between). */
const CHECKS_OVER_LIMIT = 4;

/** Thrown when a replay would exhaust the heap; `message` fits after `replay stopped: `. */
export class ReplayMemoryError extends Error {
  /** A stable code, as file system errors have one. */
  readonly code = 'EQLWB_OUT_OF_MEMORY';
  constructor(message: string) {
    super(message);
    this.name = 'ReplayMemoryError';
  }
}

/** The heap figures used, in bytes (`v8.getHeapStatistics()` by default; a parameter for tests). */
export type HeapStatistics = () => { used_heap_size: number; heap_size_limit: number };

/**
 * Checks the heap between chunks; throws when the heap in use stays over {@link HEAP_USE_LIMIT} of
 * the old generation's limit for several checks in a row.
 */
export class HeapGuard {
  private over = 0;
  /** @param stats the heap figures (bytes); default `v8.getHeapStatistics`. */
  constructor(private readonly stats: HeapStatistics = getHeapStatistics) {}

  /**
   * @param events the events read so far (named in the message).
   * @throws {@link ReplayMemoryError} with the figures in MiB and the remedies.
   */
  check(events: number): void {
    const { used_heap_size: used, heap_size_limit: limit } = this.stats();
    if (used <= (limit - YOUNG_GENERATION_BYTES) * HEAP_USE_LIMIT) {
      this.over = 0;
      return;
    }
    if (++this.over < CHECKS_OVER_LIMIT) return;
    const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
    throw new ReplayMemoryError(
      `the replay needs more memory than the JavaScript heap allows (${mib(used)} MiB in use of ${mib(limit)} MiB after ${events} events): ` +
        'the rule keeps too many events (a broad condition such as `any where true`, or --explain); narrow the rule, replay fewer samples, ' +
        'or give Node more memory (NODE_OPTIONS=--max-old-space-size=MiB)',
    );
  }
}
