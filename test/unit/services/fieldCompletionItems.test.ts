/**
 * The field items of completion (services/fieldCompletionItems.ts): built once per samples map,
 * ahead of the first completion when warmed, with each event category's own ECS field set first.
 *
 * Expected values: ECS field names from the `@elastic/ecs` package (`EcsFlat`), not from our
 * generated catalogue; sort prefixes as the module documents them (`b0` samples, `b1` the
 * category's field set, `b2` the rest of ECS).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EcsFlat } from '@elastic/ecs';
import type { SampleFieldStat } from '../../../server/src/schema/sampleFields';
import { fieldItems, warmFieldItems } from '../../../server/src/services/fieldCompletionItems';

const ecsNames = Object.keys(EcsFlat);
const stat = (name: string, events: number): SampleFieldStat => ({ name, events, types: { string: events }, values: [], moreValues: false });

describe('completion field items', () => {
  it('answers the first request after a warm-up with the items the warm-up built', () => {
    const samples = new Map([['process.name', stat('process.name', 3)]]);
    warmFieldItems(samples);
    const warmed = fieldItems(samples, undefined);
    warmFieldItems(samples);
    assert.equal(fieldItems(samples, undefined), warmed, 'the same list, not built again');
    // The items a category variant does not re-sort are those the warm-up built.
    const network = fieldItems(samples, 'network');
    const hostName = (items: typeof warmed) => items.find((f) => f.plain.label === 'host.name');
    assert.equal(hostName(network), hostName(warmed));
  });

  it('builds the items again when the samples change', () => {
    const before = new Map([['my.field', stat('my.field', 1)]]);
    warmFieldItems(before);
    const after = new Map([['other.field', stat('other.field', 2)]]);
    const labels = fieldItems(after, undefined).map((f) => f.plain.label);
    assert.ok(labels.includes('other.field'));
    assert.ok(!labels.includes('my.field'));
  });

  it('sorts a category\'s own ECS field set first, every other ECS field after, samples before both', () => {
    const samples = new Map([['network.direction', stat('network.direction', 5)]]);
    const items = fieldItems(samples, 'network');
    const sort = (label: string) => items.find((f) => f.plain.label === label)?.plain.sortText;
    const ownEcs = ecsNames.filter((n) => n.startsWith('network.') && n !== 'network.direction');
    assert.ok(ownEcs.length > 5, 'ECS has a network field set');
    for (const name of ownEcs) assert.equal(sort(name), 'b1', name);
    assert.equal(sort('process.name'), 'b2');
    assert.equal(sort('network.direction'), 'b0000000', 'a sample field keeps its sample rank');
    // Every ECS field once, the sample field not twice.
    assert.equal(items.filter((f) => f.plain.label === 'network.direction').length, 1);
    assert.equal(new Set(items.map((f) => f.plain.label)).size, items.length);
    // Without a category, nothing is sorted first among ECS.
    assert.equal(fieldItems(samples, undefined).find((f) => f.plain.label === 'network.protocol')?.plain.sortText, 'b2');
  });
});
