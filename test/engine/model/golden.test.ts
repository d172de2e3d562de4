// The ONNX forward, losses, gradients and AdamW steps against PyTorch reference values written by
// scripts/golden/make_golden.py (an independent PyTorch model of each family).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FilePool, openCheckpoint, readTensorFloat32 } from '../../../src/core/safetensors/index';
import { EvalRunner, TrainStepRunner } from '../../../src/engine/model/runner';
import { loadModel } from '../../../src/train/model';
import type { Dispatch } from '../../../src/engine/model/moe';

const ROOT = join(__dirname, '..', '..', 'fixtures', 'golden');
const CASES = ['mixtral', 'qwen2_moe', 'qwen3_moe', 'olmoe'];

interface Golden {
  batch: number;
  seq: number;
  tokens: number[][][];
  loss: number;
  ce: number;
  aux: number;
  z: number;
  adamw: { lr: number; beta1: number; beta2: number; eps: number; weight_decay: number; clip: number; steps: number; losses: number[]; grad_norms: number[] };
}

async function readAll(file: string): Promise<Map<string, Float32Array>> {
  const src = await openCheckpoint(file);
  const pool = new FilePool();
  const out = new Map<string, Float32Array>();
  for (const [n, ref] of src.tensors) out.set(n, await readTensorFloat32(pool, ref));
  await pool.close();
  return out;
}

/** max |a - b| relative to max |b| (gradients have entries near zero; compare against the tensor's scale). */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-30);
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

for (const name of CASES) {
  const dir = join(ROOT, name);
  const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as Golden;
  const tokens = golden.tokens[0].flat();

  for (const [float, dispatch, tol] of [['float64', 'dense', 1e-8], ['float32', 'dense', 1e-4], ['float32', 'sparse', 1e-4]] as const) {
    test(`${name}: loss terms and every gradient match PyTorch (${float}, ${dispatch} dispatch)`, async () => {
      const model = await loadModel(join(dir, 'model'));
      const grads = await readAll(join(dir, 'grads.safetensors'));
      const runner = await EvalRunner.create(model.cfg, { batch: golden.batch, seq: golden.seq, float, dispatch: dispatch as Dispatch }, { withGrads: true });
      const r = await runner.run(runner.bind(model.params), tokens);
      await runner.dispose();
      assert.ok(rel(r.ce, golden.ce) < tol, `ce ${r.ce} vs ${golden.ce}`);
      assert.ok(rel(r.aux, golden.aux) < tol, `aux ${r.aux} vs ${golden.aux}`);
      assert.ok(rel(r.z, golden.z) < tol, `z ${r.z} vs ${golden.z}`);
      assert.ok(rel(r.loss, golden.loss) < tol, `loss ${r.loss} vs ${golden.loss}`);
      // Reference gradients are stored in float32: compare float64 runs at float32 resolution.
      const gtol = Math.max(tol, 1e-6);
      model.specs.forEach((s, i) => {
        const ref = grads.get(s.name)!;
        assert.ok(ref, `golden gradient for ${s.name}`);
        const err = relErr(r.grads![i], ref);
        assert.ok(err < gtol, `gradient of ${s.name}: relative error ${err}`);
      });
    });
  }

  test(`${name}: ${golden.adamw.steps} AdamW steps with clipping match torch.optim.AdamW`, async () => {
    const model = await loadModel(join(dir, 'model'));
    const trained = await readAll(join(dir, 'trained.safetensors'));
    const a = golden.adamw;
    const runner = await TrainStepRunner.create(model.cfg, { batch: golden.batch, seq: golden.seq, dispatch: 'sparse' },
      { beta1: a.beta1, beta2: a.beta2, eps: a.eps, weightDecay: a.weight_decay, clipNorm: a.clip });
    runner.setState({ params: model.params, m: model.params.map((p) => new Float32Array(p.length)), v: model.params.map((p) => new Float32Array(p.length)) });
    for (let s = 0; s < a.steps; s++) {
      const r = await runner.step(golden.tokens[s].flat(), a.lr, s + 1);
      assert.ok(r.finite);
      // Float32 differences grow a little with each update (see below).
      const tol = s === 0 ? 1e-4 : 5e-4;
      assert.ok(rel(r.loss, a.losses[s]) < tol, `step ${s + 1} loss ${r.loss} vs ${a.losses[s]}`);
      assert.ok(rel(r.gradNorm, a.grad_norms[s]) < tol, `step ${s + 1} grad norm ${r.gradNorm} vs ${a.grad_norms[s]}`);
    }
    const state = runner.getState();
    await runner.dispose();
    // Adam's first steps move each element by about ±lr whatever its gradient's size (m/√v ≈ sign(g)), so an
    // element whose gradient is at float32 noise level (e.g. k_proj.bias, nearly shift-invariant under softmax)
    // carries noise × lr. Bound the worst element by 10 % of one step (lr) and the RMS error by 0.5 % of it
    // (a wrong bias correction or weight decay shows up at tens of % of lr).
    // k_proj.bias is excluded: its gradient is almost pure float noise (a key bias shifts a query's scores by
    // nearly a constant, which softmax ignores), so Adam's sign-like steps on it are not comparable.
    model.specs.forEach((s, i) => {
      if (s.name.endsWith('k_proj.bias')) return;
      const ref = trained.get(s.name)!;
      let worst = 0;
      let sq = 0;
      for (let j = 0; j < ref.length; j++) {
        const d = Math.abs(state.params[i][j] - ref[j]);
        worst = Math.max(worst, d);
        sq += d * d;
      }
      const rms = Math.sqrt(sq / ref.length);
      assert.ok(worst <= 0.1 * a.lr && rms <= 5e-3 * a.lr, `${s.name} after ${a.steps} steps: max error ${worst}, rms ${rms}`);
    });
  });
}
