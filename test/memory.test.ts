import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const script = path.join(import.meta.dirname, 'fixtures', 'scripts', 'drop-outputs.mjs');

describe('native output memory', () => {
  it('allocating and dropping 8 GiB of outputs in a synchronous loop keeps RSS bounded', () => {
    const out = execFileSync(process.execPath, [script, '8'], { encoding: 'utf8' });
    const { rounds, peakRssBytes } = JSON.parse(out.trim()) as { rounds: number; peakRssBytes: number };
    expect(rounds).toBe(2048);
    // 8 GiB went through; the GC sees the buffers and collects them: peak RSS stays far below.
    expect(peakRssBytes).toBeLessThan(1024 ** 3);
  });
});
