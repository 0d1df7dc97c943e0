// CRI log files as `kubectl logs` shows them: content, timestamps, tail, since, limit, follow.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatTime,
  parseLogLine,
  streamLogFile,
  type LogOptions,
} from '../../../src/kubelet/server/logs.js';

const FILE = [
  '2026-12-01T10:00:00.100000000Z stdout F first',
  '2026-12-01T10:00:01.200000000Z stderr F second',
  '2026-12-01T10:00:02.300000000Z stdout P par',
  '2026-12-01T10:00:02.400000000Z stdout F tial',
  '2026-12-01T10:00:03Z stdout F last',
  '',
].join('\n');

async function read(content: string, opts: Partial<LogOptions>): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'k8ts-logs-')), '0.log');
  writeFileSync(path, content);
  const out: Buffer[] = [];
  await streamLogFile(
    path,
    { follow: false, timestamps: false, ...opts },
    { write: (b) => (out.push(b), true), onceDrain: (cb) => cb() },
    () => false,
    new AbortController().signal,
  );
  return Buffer.concat(out).toString();
}

describe('CRI log files', () => {
  it('parses a line into time, stream, tag and content', () => {
    const e = parseLogLine(Buffer.from('2026-12-01T10:00:00.1Z stderr P a b c'))!;
    assert.deepEqual(
      { time: e.time, stream: e.stream, partial: e.partial, content: e.content.toString() },
      { time: '2026-12-01T10:00:00.1Z', stream: 'stderr', partial: true, content: 'a b c' },
    );
    assert.equal(parseLogLine(Buffer.from('garbage')), undefined);
  });

  it('joins partial lines and keeps both streams in order', async () => {
    assert.equal(await read(FILE, {}), 'first\nsecond\npartial\nlast\n');
  });

  it('prefixes each line (not each partial piece) with its time in RFC3339Nano', async () => {
    assert.equal(
      await read(FILE, { timestamps: true, tailLines: 2 }),
      // tail counts entries from the end, as upstream does; output starts a line, so it has a time
      '2026-12-01T10:00:02.4Z tial\n2026-12-01T10:00:03Z last\n',
    );
    assert.equal((await read(FILE, { timestamps: true })).split('\n')[0], '2026-12-01T10:00:00.1Z first');
    assert.equal(formatTime('2026-12-01T10:00:00.120000000Z'), '2026-12-01T10:00:00.12Z');
  });

  it('tailLines 0 shows nothing; sinceTime drops older entries; limitBytes cuts', async () => {
    assert.equal(await read(FILE, { tailLines: 0 }), '');
    assert.equal(await read(FILE, { sinceMs: Date.parse('2026-12-01T10:00:02Z') }), 'partial\nlast\n');
    assert.equal(await read(FILE, { limitBytes: 8 }), 'first\nse');
  });

  it('a missing file is an empty log', async () => {
    const out: Buffer[] = [];
    await streamLogFile(
      '/nonexistent/k8ts/0.log',
      { follow: false, timestamps: false },
      { write: (b) => (out.push(b), true), onceDrain: (cb) => cb() },
      () => false,
      new AbortController().signal,
    );
    assert.equal(out.length, 0);
  });

  it('follow reads what is appended while the container runs, then ends', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'k8ts-logs-')), '0.log');
    writeFileSync(path, '2026-12-01T10:00:00Z stdout F one\n');
    let running = true;
    const out: string[] = [];
    const done = streamLogFile(
      path,
      { follow: true, timestamps: false },
      { write: (b) => (out.push(b.toString()), true), onceDrain: (cb) => cb() },
      () => running,
      new AbortController().signal,
    );
    const deadline = Date.now() + 10_000;
    while (out.join('') !== 'one\n' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    appendFileSync(path, '2026-12-01T10:00:01Z stdout F two\n');
    while (out.join('') !== 'one\ntwo\n' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    running = false;
    await done;
    assert.equal(out.join(''), 'one\ntwo\n');
  });
});
