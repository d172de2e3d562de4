#!/usr/bin/python3
"""PyTorch CPU baseline for bench/train.bench.ts: one train step (forward, backward, clip, AdamW) of a Mixtral-style
MoE (4 layers, hidden 256, 4 heads, 8 experts top-2 of 512, vocab 256, seq 256, batch 8). Prints JSON tokens/s for
the per-expert loop and the all-experts variants, with the median CPU seconds per step (all threads) and peak RSS.
Usage: train_torch.py THREADS STEPS [MAX_SECONDS_PER_VARIANT]. Threads: torch.set_num_threads(THREADS) plus
OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS = THREADS set before torch is imported (set_num_threads
alone does not limit OpenBLAS)."""
import json, os, resource, sys, time

threads, steps = int(sys.argv[1]), int(sys.argv[2])
cap = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = str(threads)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch.nn.functional as F

L, H, NH, E, K, I, V, T, B = 4, 256, 4, 8, 2, 512, 256, 256, 8
torch.set_num_threads(threads)
torch.manual_seed(0)
D = H // NH


def p(*s, scale=None):
    return (torch.randn(*s) * (scale or s[-1] ** -0.5)).requires_grad_(True)


P = {'emb': p(V, H), 'head': p(V, H), 'norm': torch.ones(H, requires_grad=True)}
for l in range(L):
    P.update({f'{l}.{n}': p(H, H) for n in 'qkvo'})
    P[f'{l}.n1'] = torch.ones(H, requires_grad=True)
    P[f'{l}.n2'] = torch.ones(H, requires_grad=True)
    P[f'{l}.r'] = p(E, H)
    P[f'{l}.w1'] = p(E, I, H)
    P[f'{l}.w3'] = p(E, I, H)
    P[f'{l}.w2'] = p(E, H, I)
rms = lambda x, w: w * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5)
inv = 1.0 / (10000 ** (torch.arange(0, D, 2).float() / D))
fr = torch.outer(torch.arange(T).float(), inv)
cos, sin = torch.cat((fr, fr), -1).cos(), torch.cat((fr, fr), -1).sin()
MASK = torch.full((T, T), float('-inf')).triu(1)
rot = lambda x: torch.cat((-x[..., D // 2:], x[..., :D // 2]), -1)


def loss_fn(tok, variant):
    x = P['emb'][tok[:, :-1]]
    for l in range(L):
        h = rms(x, P[f'{l}.n1'])
        q, k, v = (F.linear(h, P[f'{l}.{n}']).view(B, T, NH, D).transpose(1, 2) for n in 'qkv')
        q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
        att = torch.softmax(q @ k.transpose(2, 3) * D ** -0.5 + MASK, -1)  # torch 1.13 has no SDPA
        o = (att @ v).transpose(1, 2).reshape(B, T, H)
        x = x + F.linear(o, P[f'{l}.o'])
        h = rms(x, P[f'{l}.n2']).reshape(-1, H)
        pr = torch.softmax(h @ P[f'{l}.r'].T, -1)
        w, sel = torch.topk(pr, K, -1)
        w = w / w.sum(-1, keepdim=True)
        out = torch.zeros_like(h)
        for e in range(E):
            if variant == 'loop':
                tok_i, slot = torch.where(sel == e)
                y = (F.silu(h[tok_i] @ P[f'{l}.w1'][e].T) * (h[tok_i] @ P[f'{l}.w3'][e].T)) @ P[f'{l}.w2'][e].T
                out = out.index_add(0, tok_i, y * w[tok_i, slot, None])
            else:
                g = (w * (sel == e)).sum(-1, keepdim=True)
                out = out + g * ((F.silu(h @ P[f'{l}.w1'][e].T) * (h @ P[f'{l}.w3'][e].T)) @ P[f'{l}.w2'][e].T)
        x = x + out.view(B, T, H)
    logits = F.linear(rms(x, P['norm']), P['head'])
    return F.cross_entropy(logits.reshape(-1, V), tok[:, 1:].reshape(-1))


opt = torch.optim.AdamW(P.values(), lr=1e-4, betas=(0.9, 0.95), weight_decay=0.1)
res, cpu, counts = {}, {}, {}
for variant in ('loop', 'all'):
    times, cpus = [], []
    start = time.perf_counter()
    for s in range(steps + 1):
        tok = torch.randint(0, V, (B, T + 1))
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad()
        loss = loss_fn(tok, variant)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(P.values(), 1.0)
        opt.step()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        if s >= 1 and time.perf_counter() - start > cap:
            break
    times, cpus = sorted(times[1:]), sorted(cpus[1:])
    res[variant] = B * T / times[len(times) // 2]
    cpu[variant] = cpus[len(cpus) // 2]
    counts[variant] = len(times)
print(json.dumps({'threads': threads, 'tokens_per_s': res, 'cpu_s_per_step': cpu, 'steps': counts,
                  'peak_rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
