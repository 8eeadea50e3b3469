/**
 * The whole-model section, run against a stand-in for the zoo, InferenceSession and the ONNX
 * exporter (they do not exist yet), so that the section works the day they land.
 */
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { encodeModel } from '../../lib/io/onnx/builder.js';
import { conv2dNode } from '../../lib/io/onnx/ops.js';
import { uniform } from '../../bench/data.js';
import { runModels, type ModelApi } from '../../bench/models.js';

const fast = { warmup: 1, minRuns: 2, minTimeMs: 0, maxRuns: 2, maxTimeMs: 1000 };

/** A "model": one 3x3 conv 3 -> 2 with padding 1, as the zoo, a session and an exporter see it. */
interface TinyModel { w: Float32Array; b: Float32Array }
const macsPerImage = 2 * 224 * 224 * 3 * 9;

const api: ModelApi = {
  models: { tiny: () => ({ w: uniform(2 * 3 * 9, 7, 0.2), b: uniform(2, 8) }) },
  session: {
    create: async (m: unknown) => {
      const model = m as TinyModel;
      const w = cn.tensor(model.w, [2, 3, 3, 3]);
      const b = cn.tensor(model.b, [2]);
      return {
        run: async (x: unknown) => cn.conv2d(x as cn.Tensor, w, b, { padding: 1 }),
        runSync: (x: unknown) => cn.conv2d(x as cn.Tensor, w, b, { padding: 1 }),
      };
    },
  },
  exportOnnx: (m: unknown, o: unknown) => {
    const model = m as TinyModel;
    const [n] = (o as { inputShape: number[] }).inputShape;
    return encodeModel({
      nodes: [conv2dNode(['input', 'w', 'b'], 'output', { kernel: [3, 3], stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 })],
      inputs: [{ name: 'input', dims: [n, 3, 224, 224] }],
      outputs: [{ name: 'output', dims: [n, 2, 224, 224] }],
      initializers: [{ name: 'w', dims: [2, 3, 3, 3], data: model.w }, { name: 'b', dims: [2], data: model.b }],
    });
  },
  summary: () => ({ totals: { macs: macsPerImage } }),
};

describe('bench models section', () => {
  it('times the session and ORT on the exported weights, and checks they agree', async () => {
    const { rows, notes } = await runModels({ threads: [1, 2], batches: [1, 2], timing: fast, names: ['tiny', 'missing'] }, api);
    expect(notes).toEqual(['missing: not in cn.models.']);
    expect(rows.map((r) => `${r.label} N=${r.batch} T=${r.threads}`)).toEqual([
      'tiny N=1 T=1', 'tiny N=1 T=2', 'tiny N=2 T=1', 'tiny N=2 T=2',
    ]);
    for (const r of rows) {
      expect(r.cells.convnode.error).toBeUndefined();
      expect(r.cells['convnode-sync'].runs).toBeGreaterThan(0);
      expect(r.cells['convnode-sync'].relErr).toBe(0); // the same conv, so the same result
      expect(r.cells.ort.error).toBeUndefined();
      expect(r.cells.ort.relErr).toBeLessThan(1e-4);
      expect(r.work).toBe(2 * macsPerImage * r.batch);
    }
  });

  it('says what is missing instead of failing', async () => {
    expect((await runModels({ threads: [1], batches: [1], timing: fast, names: ['tiny'] }, {})).notes)
      .toEqual(['Skipped: cn.models and cn.InferenceSession not in this build.']);
    const noExport = await runModels({ threads: [1], batches: [1], timing: fast, names: ['tiny'] }, { ...api, exportOnnx: undefined });
    expect(noExport.notes[0]).toMatch(/ORT column empty: no ONNX exporter/);
    expect(Object.keys(noExport.rows[0].cells)).toEqual(['convnode', 'convnode-sync']);
  });
});
