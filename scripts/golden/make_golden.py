#!/usr/bin/python3
"""PyTorch reference values for Graft's ONNX training graphs (run with Debian's /usr/bin/python3 + python3-torch).

Written independently of the TypeScript model, from the Hugging Face modeling files' semantics: RMSNorm, rotate-half
RoPE, GQA causal attention, softmax top-k routing (renormalised or not), SwiGLU experts in a per-expert loop,
Qwen2-MoE's sigmoid-gated shared expert, q/k norms (per head: Qwen3; full width: OLMoE), the load-balancing loss
of transformers' load_balancing_loss_func, the router z-loss, and torch.optim.AdamW with clip_grad_norm_.

For each case it writes test/fixtures/golden/<case>/:
  model/config.json, model/model.safetensors   the tiny checkpoint (float32)
  golden.json                         tokens, loss terms (float64 reference), routing margin, AdamW trajectory
  grads.safetensors                   d loss / d parameter for every parameter (float64 computed, stored float32)
  trained.safetensors                 parameters after the AdamW steps of golden.json (float32 training)
Seeds are chosen so that no token's k-th and (k+1)-th router probabilities are within 1e-3 of each other, so that
float32 noise cannot flip a routing decision.
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'golden')

CASES = {
    'mixtral': dict(model_type='mixtral', architectures=['MixtralForCausalLM'], vocab_size=64, hidden_size=32, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, intermediate_size=48, num_local_experts=4, num_experts_per_tok=2,
                    rope_theta=10000.0, rms_norm_eps=1e-5, tie_word_embeddings=False, router_aux_loss_coef=0.02),
    'qwen2_moe': dict(model_type='qwen2_moe', architectures=['Qwen2MoeForCausalLM'], vocab_size=64, hidden_size=32, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=4, intermediate_size=40, moe_intermediate_size=24, num_experts=4,
                      num_experts_per_tok=2, norm_topk_prob=False, shared_expert_intermediate_size=40, decoder_sparse_step=1,
                      mlp_only_layers=[], rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True, router_aux_loss_coef=0.01),
    'qwen3_moe': dict(model_type='qwen3_moe', architectures=['Qwen3MoeForCausalLM'], vocab_size=64, hidden_size=32, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, head_dim=16, intermediate_size=40, moe_intermediate_size=24,
                      num_experts=6, num_experts_per_tok=2, norm_topk_prob=True, decoder_sparse_step=1, mlp_only_layers=[1],
                      rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=False, router_aux_loss_coef=0.01),
    'olmoe': dict(model_type='olmoe', architectures=['OlmoeForCausalLM'], vocab_size=64, hidden_size=32, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=4, intermediate_size=24, num_experts=4, num_experts_per_tok=2,
                  norm_topk_prob=False, rope_theta=10000.0, rms_norm_eps=1e-5, tie_word_embeddings=False,
                  router_aux_loss_coef=0.01, router_z_loss_coef=0.001),
}
BATCH, SEQ = 2, 8
ADAM = dict(lr=1e-2, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1, clip=1.0, steps=3)


def names(cfg):
    """Parameter names and shapes in Hugging Face layout."""
    mt = cfg['model_type']
    H, V = cfg['hidden_size'], cfg['vocab_size']
    nh, nkv = cfg['num_attention_heads'], cfg['num_key_value_heads']
    D = cfg.get('head_dim', H // nh)
    out = [('model.embed_tokens.weight', (V, H))]
    for l in range(cfg['num_hidden_layers']):
        p = f'model.layers.{l}.'
        out.append((p + 'input_layernorm.weight', (H,)))
        out += [(p + 'self_attn.q_proj.weight', (nh * D, H)), (p + 'self_attn.k_proj.weight', (nkv * D, H)), (p + 'self_attn.v_proj.weight', (nkv * D, H))]
        if mt == 'qwen2_moe':
            out += [(p + 'self_attn.q_proj.bias', (nh * D,)), (p + 'self_attn.k_proj.bias', (nkv * D,)), (p + 'self_attn.v_proj.bias', (nkv * D,))]
        if mt == 'qwen3_moe':
            out += [(p + 'self_attn.q_norm.weight', (D,)), (p + 'self_attn.k_norm.weight', (D,))]
        if mt == 'olmoe':
            out += [(p + 'self_attn.q_norm.weight', (nh * D,)), (p + 'self_attn.k_norm.weight', (nkv * D,))]
        out.append((p + 'self_attn.o_proj.weight', (H, nh * D)))
        out.append((p + 'post_attention_layernorm.weight', (H,)))
        if is_moe(cfg, l):
            E = experts(cfg)
            I = cfg.get('moe_intermediate_size', cfg['intermediate_size'])
            if mt == 'mixtral':
                out.append((p + 'block_sparse_moe.gate.weight', (E, H)))
                for e in range(E):
                    q = p + f'block_sparse_moe.experts.{e}.'
                    out += [(q + 'w1.weight', (I, H)), (q + 'w3.weight', (I, H)), (q + 'w2.weight', (H, I))]
            else:
                out.append((p + 'mlp.gate.weight', (E, H)))
                for e in range(E):
                    q = p + f'mlp.experts.{e}.'
                    out += [(q + 'gate_proj.weight', (I, H)), (q + 'up_proj.weight', (I, H)), (q + 'down_proj.weight', (H, I))]
                if mt == 'qwen2_moe':
                    S = cfg['shared_expert_intermediate_size']
                    q = p + 'mlp.shared_expert.'
                    out += [(q + 'gate_proj.weight', (S, H)), (q + 'up_proj.weight', (S, H)), (q + 'down_proj.weight', (H, S))]
                    out.append((p + 'mlp.shared_expert_gate.weight', (1, H)))
        else:
            I = cfg['intermediate_size']
            q = p + 'mlp.'
            out += [(q + 'gate_proj.weight', (I, H)), (q + 'up_proj.weight', (I, H)), (q + 'down_proj.weight', (H, I))]
    out.append(('model.norm.weight', (H,)))
    if not cfg['tie_word_embeddings']:
        out.append(('lm_head.weight', (V, H)))
    return out


def experts(cfg):
    return cfg.get('num_local_experts', cfg.get('num_experts'))


def is_moe(cfg, l):
    if cfg['model_type'] in ('qwen2_moe', 'qwen3_moe'):
        return l not in cfg['mlp_only_layers'] and (l + 1) % cfg['decoder_sparse_step'] == 0
    return True


def init_params(cfg, gen):
    P = {}
    for n, shape in names(cfg):
        if n.endswith('norm.weight') or n.endswith('layernorm.weight'):
            P[n] = 1.0 + 0.1 * torch.randn(shape, generator=gen)
        elif n.endswith('.gate.weight'):
            P[n] = 0.5 * torch.randn(shape, generator=gen)  # a sharp router: clear top-k margins
        elif n.endswith('.bias'):
            P[n] = 0.05 * torch.randn(shape, generator=gen)
        else:
            P[n] = torch.randn(shape, generator=gen) / math.sqrt(shape[-1])
    return {k: v.float() for k, v in P.items()}


def rms(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rot_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def swiglu(x, g, u, d):
    return (F.silu(x @ g.T) * (x @ u.T)) @ d.T


def model_loss(cfg, P, tokens, stats=None):
    mt = cfg['model_type']
    H, V = cfg['hidden_size'], cfg['vocab_size']
    nh, nkv = cfg['num_attention_heads'], cfg['num_key_value_heads']
    D = cfg.get('head_dim', H // nh)
    eps = cfg['rms_norm_eps']
    dt = P['model.embed_tokens.weight'].dtype
    inp, tgt = tokens[:, :-1], tokens[:, 1:]
    B, T = inp.shape
    x = P['model.embed_tokens.weight'][inp]
    inv_freq = 1.0 / (cfg['rope_theta'] ** (torch.arange(0, D, 2, dtype=torch.int64).float() / D))
    freqs = torch.outer(torch.arange(T).float(), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.to(dt).cos(), emb.to(dt).sin()
    causal = torch.full((T, T), torch.finfo(dt).min, dtype=dt).triu(1)
    router_logits = []
    for l in range(cfg['num_hidden_layers']):
        p = f'model.layers.{l}.'
        h = rms(x, P[p + 'input_layernorm.weight'], eps)
        bias = (lambda n: P[p + f'self_attn.{n}_proj.bias']) if mt == 'qwen2_moe' else (lambda n: None)
        q = F.linear(h, P[p + 'self_attn.q_proj.weight'], bias('q'))
        k = F.linear(h, P[p + 'self_attn.k_proj.weight'], bias('k'))
        v = F.linear(h, P[p + 'self_attn.v_proj.weight'], bias('v'))
        if mt == 'olmoe':
            q = rms(q, P[p + 'self_attn.q_norm.weight'], eps)
            k = rms(k, P[p + 'self_attn.k_norm.weight'], eps)
        q = q.view(B, T, nh, D).transpose(1, 2)
        k = k.view(B, T, nkv, D).transpose(1, 2)
        v = v.view(B, T, nkv, D).transpose(1, 2)
        if mt == 'qwen3_moe':
            q = rms(q, P[p + 'self_attn.q_norm.weight'], eps)
            k = rms(k, P[p + 'self_attn.k_norm.weight'], eps)
        q = q * cos + rot_half(q) * sin
        k = k * cos + rot_half(k) * sin
        rep = nh // nkv
        k = k[:, :, None].expand(B, nkv, rep, T, D).reshape(B, nh, T, D)
        v = v[:, :, None].expand(B, nkv, rep, T, D).reshape(B, nh, T, D)
        att = torch.softmax(q @ k.transpose(2, 3) * D ** -0.5 + causal, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, nh * D)
        x = x + o @ P[p + 'self_attn.o_proj.weight'].T
        h = rms(x, P[p + 'post_attention_layernorm.weight'], eps).reshape(B * T, H)
        if is_moe(cfg, l):
            pre = p + ('block_sparse_moe.' if mt == 'mixtral' else 'mlp.')
            E, K = experts(cfg), cfg['num_experts_per_tok']
            logits = h @ P[pre + 'gate.weight'].T
            router_logits.append(logits)
            probs = torch.softmax(logits, dim=-1)
            w, sel = torch.topk(probs, K, dim=-1)
            if stats is not None:
                top = torch.topk(probs, K + 1, dim=-1).values if K < E else None
                if top is not None:
                    stats.append(float((top[:, K - 1] - top[:, K]).min()))
            if mt == 'mixtral' or cfg.get('norm_topk_prob'):
                w = w / w.sum(-1, keepdim=True)
            out = torch.zeros_like(h)
            mats = ('w1', 'w3', 'w2') if mt == 'mixtral' else ('gate_proj', 'up_proj', 'down_proj')
            for e in range(E):
                tok, slot = torch.where(sel == e)
                if tok.numel() == 0:
                    continue
                q_ = pre + f'experts.{e}.'
                y = swiglu(h[tok], *(P[q_ + m + '.weight'] for m in mats))
                out = out.index_add(0, tok, y * w[tok, slot, None])
            if mt == 'qwen2_moe':
                s = pre + 'shared_expert.'
                shared = swiglu(h, P[s + 'gate_proj.weight'], P[s + 'up_proj.weight'], P[s + 'down_proj.weight'])
                out = out + torch.sigmoid(h @ P[pre + 'shared_expert_gate.weight'].T) * shared
        else:
            out = swiglu(h, P[p + 'mlp.gate_proj.weight'], P[p + 'mlp.up_proj.weight'], P[p + 'mlp.down_proj.weight'])
        x = x + out.view(B, T, H)
    x = rms(x, P['model.norm.weight'], eps)
    head = P['model.embed_tokens.weight'] if cfg['tie_word_embeddings'] else P['lm_head.weight']
    logits = x @ head.T
    ce = F.cross_entropy(logits.reshape(-1, V), tgt.reshape(-1))
    aux = torch.zeros((), dtype=dt)
    z = torch.zeros((), dtype=dt)
    if router_logits:
        # transformers' load_balancing_loss_func (no attention mask): statistics over all layers' tokens at once.
        E, K = experts(cfg), cfg['num_experts_per_tok']
        cat = torch.cat(router_logits, dim=0)
        rw = torch.softmax(cat, dim=-1)
        _, se = torch.topk(rw, K, dim=-1)
        mask = F.one_hot(se, E).to(dt)
        tokens_per_expert = mask.mean(0)
        prob_per_expert = rw.mean(0)
        aux = (tokens_per_expert * prob_per_expert.unsqueeze(0)).sum() * E
        z = (torch.logsumexp(cat, dim=-1) ** 2).mean()
    loss = ce + cfg.get('router_aux_loss_coef', 0.0) * aux + cfg.get('router_z_loss_coef', 0.0) * z
    return loss, ce, aux, z


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for n, t in tensors.items():
        b = t.detach().contiguous().float().numpy().tobytes()
        header[n] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def adamw_trajectory(cfg, P, batches, margins=None):
    """ADAM['steps'] steps of torch AdamW (decay on matrices only) with global-norm clipping, in float32."""
    params = {n: t.clone().requires_grad_(True) for n, t in P.items()}
    decay = [t for n, t in params.items() if t.dim() >= 2]
    no_decay = [t for n, t in params.items() if t.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': ADAM['weight_decay']}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=ADAM['lr'], betas=ADAM['betas'], eps=ADAM['eps'], foreach=False)
    losses, norms = [], []
    for tokens in batches:
        opt.zero_grad()
        loss, *_ = model_loss(cfg, params, tokens, margins)
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(list(params.values()), ADAM['clip'])))
        opt.step()
        losses.append(float(loss))
    return losses, norms, {n: t.detach() for n, t in params.items()}


def make_case(name, cfg):
    for seed in range(1, 200):
        gen = torch.Generator().manual_seed(seed)
        P = init_params(cfg, gen)
        batches = [torch.randint(0, cfg['vocab_size'], (BATCH, SEQ + 1), generator=gen) for _ in range(ADAM['steps'])]
        margins = []
        model_loss(cfg, {k: v.double() for k, v in P.items()}, batches[0], margins)
        adamw_trajectory(cfg, P, batches, margins)  # routing along the whole AdamW trajectory must be clear too
        if margins and min(margins) > 1e-3:
            break
    else:
        sys.exit(f'{name}: no seed with clear routing margins')
    P64 = {k: v.double().requires_grad_(True) for k, v in P.items()}
    loss, ce, aux, z = model_loss(cfg, P64, batches[0])
    loss.backward()
    out = os.path.join(ROOT, name)
    os.makedirs(out, exist_ok=True)
    os.makedirs(os.path.join(out, 'model'), exist_ok=True)
    with open(os.path.join(out, 'model', 'config.json'), 'w') as f:
        json.dump({**cfg, 'torch_dtype': 'float32'}, f, indent=2)
    write_safetensors(os.path.join(out, 'model', 'model.safetensors'), P)
    write_safetensors(os.path.join(out, 'grads.safetensors'), {k: (v.grad if v.grad is not None else torch.zeros_like(v)) for k, v in P64.items()})
    losses, norms, trained = adamw_trajectory(cfg, P, batches)
    write_safetensors(os.path.join(out, 'trained.safetensors'), trained)
    golden = {
        'seed': seed, 'batch': BATCH, 'seq': SEQ, 'tokens': [b.tolist() for b in batches],
        'loss': float(loss), 'ce': float(ce), 'aux': float(aux), 'z': float(z), 'min_routing_margin': min(margins),
        'adamw': {**{k: v for k, v in ADAM.items() if k != 'betas'}, 'beta1': ADAM['betas'][0], 'beta2': ADAM['betas'][1],
                  'losses': losses, 'grad_norms': norms},
        'torch': torch.__version__,
    }
    with open(os.path.join(out, 'golden.json'), 'w') as f:
        json.dump(golden, f, indent=1)
    print(f'{name}: seed {seed}, loss {float(loss):.6f} (ce {float(ce):.6f}, aux {float(aux):.6f}, z {float(z):.6f}), margin {min(margins):.2e}')


if __name__ == '__main__':
    torch.set_num_threads(1)
    for n, c in CASES.items():
        if len(sys.argv) < 2 or n in sys.argv[1:]:
            make_case(n, c)
