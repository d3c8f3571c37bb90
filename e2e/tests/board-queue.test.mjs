// The display board's announcement order (crates/mpp/static/board-queue.js),
// loaded as the browser loads it: newest call first, a call superseded by
// a newer one at its counter dropped, stale calls dropped.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import vm from 'node:vm';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'crates', 'mpp', 'static', 'board-queue.js');
const context = {};
vm.runInNewContext(`${readFileSync(file, 'utf8')}\nthis.q = MPPBoardQueue;`, context);
const { pick, STALE_MS } = context.q;
const call = (label, counter, at, arrived = 0) => ({ label, counter, at, arrived });
// The script runs in its own realm: copy its arrays into this one to compare.
const labels = (calls) => Array.from(calls, (c) => c.label);

test('the newest call is said first', () => {
  const r = pick([call('A-001', 1, 100), call('B-004', 2, 300), call('C-002', 3, 200)], 1000);
  assert.equal(r.next.label, 'B-004');
  assert.deepEqual(labels(r.waiting), ['C-002', 'A-001']);
  assert.equal(r.dropped.length, 0);
});

test('a counter that called again drops its older call, which is reported', () => {
  const r = pick([call('A-001', 1, 100), call('A-002', 1, 400), call('B-004', 2, 300)], 1000);
  assert.equal(r.next.label, 'A-002');
  assert.deepEqual(labels(r.dropped), ['A-001']);
});

test('a call waiting too long is dropped, not said late', () => {
  const r = pick([call('A-001', 1, 100, 0), call('B-004', 2, 90, STALE_MS + 5)], STALE_MS + 10);
  assert.equal(r.next.label, 'B-004');
  assert.deepEqual(labels(r.dropped), ['A-001']);
  assert.equal(pick([], 0).next, null);
});
