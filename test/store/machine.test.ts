import assert from 'node:assert/strict';
import {test} from 'node:test';
import {countPhysicalCores, describeMachine, parseCpuList, usableCores} from '../../src/store/machine.js';

/** /proc/cpuinfo of `sockets` × `cores` × `threads` CPUs, numbered as Linux does (hyperthreads last). */
function cpuinfo(sockets: number, cores: number, threads: number, withCoreIds = true): string {
  const sections: string[] = [];
  let processor = 0;
  for (let thread = 0; thread < threads; thread++) {
    for (let socket = 0; socket < sockets; socket++) {
      for (let core = 0; core < cores; core++) {
        const ids = withCoreIds ? `\nphysical id\t: ${socket}\ncore id\t\t: ${core}` : '';
        sections.push(`processor\t: ${processor++}\nmodel name\t: Test CPU${ids}\nsiblings\t: ${cores * threads}`);
      }
    }
  }
  return `${sections.join('\n\n')}\n`;
}

test('countPhysicalCores', async (t) => {
  await t.test('counts a core once whatever its hyperthreads', () => {
    assert.equal(countPhysicalCores({cpuinfo: cpuinfo(1, 2, 1)}), 2);
    assert.equal(countPhysicalCores({cpuinfo: cpuinfo(1, 8, 2)}), 8);
    assert.equal(countPhysicalCores({cpuinfo: cpuinfo(2, 8, 2)}), 16);
  });
  await t.test('honours the affinity mask', () => {
    // CPUs 0-3 of an 8-core, 16-thread machine: four cores; 0 and 8 are hyperthreads of one core.
    assert.equal(countPhysicalCores({cpuinfo: cpuinfo(1, 8, 2), allowed: parseCpuList('0-3')}), 4);
    assert.equal(countPhysicalCores({cpuinfo: cpuinfo(1, 8, 2), allowed: parseCpuList('0,8')}), 1);
  });
  await t.test('falls back to /sys topology, else says it does not know', () => {
    assert.equal(countPhysicalCores({cpuinfo: cpuinfo(1, 4, 2, false), topology: (cpu) => `0:${cpu % 4}`}), 4);
    assert.equal(countPhysicalCores({cpuinfo: cpuinfo(1, 4, 2, false)}), undefined);
    assert.equal(countPhysicalCores({}), undefined);
  });
  await t.test('parseCpuList', () => {
    assert.deepEqual([...parseCpuList('0-2,5,7-8')!], [0, 1, 2, 5, 7, 8]);
    assert.equal(parseCpuList(''), undefined);
    assert.equal(parseCpuList('zero'), undefined);
  });
});

test('describeMachine records physical cores apart from the fingerprint', () => {
  const machine = describeMachine();
  assert.ok(machine.physicalCores === undefined || (machine.physicalCores >= 1 && machine.physicalCores <= machine.cores));
  // The fingerprint hashes what it always did: results stored before keep their machine folder.
  assert.match(machine.fingerprint, /^[0-9a-f]{12}$/);
});

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
