// The /proc readers behind /stats/summary: interfaces from net/dev, the default route's
// interface, memory from meminfo.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultInterface, interfaces, meminfo } from '../../../src/kubelet/stats/summary-sources.js';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
  eth0: 5000000    4000    2    0    0     0          0         0   300000    2000    1    0    0     0       0          0
`;

describe('summary sources', () => {
  it('net/dev: every interface but lo, bytes and errors both ways', () => {
    assert.deepEqual(interfaces(NET_DEV), [
      { name: 'eth0', rxBytes: 5000000, rxErrors: 2, txBytes: 300000, txErrors: 1 },
    ]);
  });

  it('the default route names the primary interface', () => {
    const route =
      'Iface\tDestination\tGateway\tFlags\n' +
      'cni0\t00002A0A\t00000000\t0001\n' +
      'ens3\t00000000\t0100000A\t0003\n';
    assert.equal(defaultInterface(route), 'ens3');
    assert.equal(defaultInterface('Iface\tDestination\n'), undefined);
  });

  it('meminfo in bytes', () => {
    const m = meminfo('MemTotal:       2048 kB\nMemFree:         512 kB\nMemAvailable:   1024 kB\n');
    assert.deepEqual(m, { total: 2048 * 1024, available: 1024 * 1024, free: 512 * 1024 });
  });
});
