// Counts in messages: English singular for exactly one, plural otherwise (0 included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plural } from '../../../server/src/samples/text';

test('plural: singular only for 1; an irregular plural when given', () => {
  assert.equal(plural(1, 'event'), '1 event');
  assert.equal(plural(0, 'event'), '0 events');
  assert.equal(plural(2, 'match', 'matches'), '2 matches');
  assert.equal(plural(1, 'match', 'matches'), '1 match');
});
