# The PyTorch alternative a user would write: per-tensor statistics (count, mean, std, RMS, Frobenius, min, max,
# absmax, NaN/Inf counts) in float64 over every tensor of a safetensors checkpoint, plus the per-layer expert RMS
# mean. Reads headers with json and tensors with torch.frombuffer (no safetensors package on Debian).
# usage: /usr/bin/python3 bench/norms_torch.py DIR [THREADS] [MAX_SECONDS]
# MAX_SECONDS (default: none) stops after the tensor that crosses that time, so that the benchmark always finishes
# on a loaded machine; the printed JSON says how many tensor bytes were done ("bytes", "complete": false) and the
# seconds spent on them, so the caller reports the rate on that subset.
import json, os, re, struct, sys, time
t_start = time.monotonic()
import torch

d = sys.argv[1]
if len(sys.argv) > 2 and sys.argv[2]: torch.set_num_threads(int(sys.argv[2]))
max_s = float(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else float('inf')
DT = {'BF16': torch.bfloat16, 'F16': torch.float16, 'F32': torch.float32}
files = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith('.safetensors'))
prof = {}
n_tensors = 0
done = 0
complete = True
t0 = time.monotonic()
for p in files:
    with open(p, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        h = json.loads(f.read(n)); base = 8 + n
        for k, v in h.items():
            if k == '__metadata__': continue
            if time.monotonic() - t_start > max_s:
                complete = False
                break
            a, b = v['data_offsets']; f.seek(base + a)
            x = torch.frombuffer(bytearray(f.read(b - a)), dtype=DT[v['dtype']]).to(torch.float64)
            fin = torch.isfinite(x); nan = int(torch.isnan(x).sum()); inf = int(torch.isinf(x).sum())
            y = x[fin]
            mean = float(y.mean()); std = float(y.std(unbiased=False)); ss = float((y * y).sum())
            rms = (ss / y.numel()) ** 0.5; mn = float(y.min()); mx = float(y.max())
            n_tensors += 1
            done += b - a
            m = re.match(r'model\.layers\.(\d+)\.block_sparse_moe\.experts\.\d+\.w[123]\.weight', k)
            if m: prof.setdefault(int(m.group(1)), []).append(rms)
    if not complete: break
print(json.dumps({'tensors': n_tensors, 'bytes': done, 'complete': complete, 'seconds': time.monotonic() - t0,
                  'profile': {l: sum(v) / len(v) for l, v in sorted(prof.items())}}))
