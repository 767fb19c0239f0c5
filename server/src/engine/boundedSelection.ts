/**
 * The first or last `count` items of a stream in a total order, kept without keeping the others:
 * a binary heap of at most `count` items whose root is the item to drop next (the greatest kept
 * for `first`, the least for `last`). Adding is O(log count); memory is O(count) whatever the
 * stream's length. Used for an event query under `head`/`tail`/`size` (`replay.ts`), whose result
 * is a slice of its matches in Elasticsearch's order.
 *
 * Written here rather than taken from a package: it is twenty lines on the replay's hot path, and
 * the order (`compareOrdinals`) is total, so no tie-breaking policy is needed.
 */
export class BoundedSelection<T> {
  private readonly heap: T[] = [];
  /** Positive when `a` must leave the heap before `b` (is nearer the root). */
  private readonly before: (a: T, b: T) => number;

  /**
   * @param count how many items to keep (0 keeps none).
   * @param compare a total order: negative when `a` comes first.
   * @param end `first`: keep the `count` least items; `last`: the `count` greatest.
   */
  constructor(
    readonly count: number,
    private readonly compare: (a: T, b: T) => number,
    end: 'first' | 'last',
  ) {
    this.before = end === 'first' ? compare : (a, b) => compare(b, a);
  }

  /** Number of items kept. */
  get size(): number {
    return this.heap.length;
  }

  /** Offers an item. @returns true when it is kept (it may still be dropped by a later one). */
  add(item: T): boolean {
    const heap = this.heap;
    if (heap.length < this.count) {
      heap.push(item);
      this.up(heap.length - 1);
      return true;
    }
    if (this.count === 0 || this.before(item, heap[0]) >= 0) return false;
    heap[0] = item;
    this.down(0);
    return true;
  }

  /** The kept items in ascending order (a new array). */
  sorted(): T[] {
    return this.heap.slice().sort(this.compare);
  }

  private up(i: number): void {
    const heap = this.heap;
    const item = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.before(item, heap[parent]) <= 0) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = item;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.before(heap[child + 1], heap[child]) > 0) child++;
      if (this.before(heap[child], item) <= 0) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = item;
  }
}
