/** The memory budget of the replay worker's cache of parsed sample files (`samples/sampleCache.ts`). */
import type { ReplayParams } from '../protocol';

/** Budget when a request does not say (MiB); the default of the `eqlWorkbench.replay.cacheBudgetMB` setting. */
export const DEFAULT_SAMPLE_CACHE_BUDGET_MB = 512;

/**
 * The cache budget a replay request asks for, in bytes: `params.sampleCacheBudgetMB` MiB
 * (0 turns the cache off), {@link DEFAULT_SAMPLE_CACHE_BUDGET_MB} when absent or not a finite
 * number of 0 or more.
 */
export function sampleCacheBudgetBytes(params: Pick<ReplayParams, 'sampleCacheBudgetMB'>): number {
  const mb = params.sampleCacheBudgetMB;
  const valid = typeof mb === 'number' && Number.isFinite(mb) && mb >= 0;
  return Math.floor((valid ? mb : DEFAULT_SAMPLE_CACHE_BUDGET_MB) * 1024 * 1024);
}
