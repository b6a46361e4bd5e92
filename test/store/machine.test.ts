import assert from 'node:assert/strict';
import {test} from 'node:test';
import {describeMachine, usableCores} from '../../src/store/machine.js';

test('usableCores counts the CPUs of the affinity, not of the machine', async (t) => {
  await t.test('from Cpus_allowed_list', () => {
    assert.equal(usableCores(8, 'Name:\tnode\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n'), 1);
    assert.equal(usableCores(16, 'Cpus_allowed_list:\t0-3,8,10-11\n'), 7);
  });
  await t.test('falls back to availableParallelism when the list is absent or unreadable', () => {
    assert.ok(usableCores(4, 'Name:\tnode\n') >= 1);
    assert.ok(usableCores(4, 'Cpus_allowed_list:\tgarbage\n') >= 1);
  });
  await t.test('this process', () => {
    const machine = describeMachine();
    assert.ok(machine.cores >= 1);
    assert.match(machine.fingerprint, /^[0-9a-f]{12}$/);
  });
});
