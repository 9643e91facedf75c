import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capConnections, openFilesLimit, RESERVED_DESCRIPTORS } from './connection-cap';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                40000                files
Max locked memory         8388608              8388608              bytes
`;

describe('connection cap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'limits-'));

  it("reads the soft limit on open files from the process's limits", () => {
    const file = join(dir, 'limits');
    writeFileSync(file, LIMITS);
    expect(openFilesLimit(file)).toBe(20_000);
    expect(openFilesLimit(join(dir, 'missing'))).toBeUndefined();
    writeFileSync(file, LIMITS.replace('20000   ', 'unlimited'));
    expect(openFilesLimit(file)).toBeUndefined();
  });

  it('keeps descriptors in reserve, and leaves a server alone when the limit is unknown', () => {
    const server = createServer();
    expect(capConnections(server, 20_000)).toBe(20_000 - RESERVED_DESCRIPTORS);
    expect(server.maxConnections).toBe(20_000 - RESERVED_DESCRIPTORS);
    const other = createServer();
    const before = other.maxConnections;
    expect(capConnections(other, undefined)).toBeUndefined();
    expect(other.maxConnections).toBe(before);
  });
});
