#!/usr/bin/env python3
"""PyTorch reference for Versiflow's training benchmarks: the same architecture as src/model/gpt.ts
(pre-norm RMSNorm, half-split RoPE, GQA, SwiGLU, tied head, AdamW with global-norm clipping).

Prints one JSON line: {"device", "mode", "tokens_per_sec", "ms_per_step", "first_loss", "last_loss"}.

  python3 bench/torch_train_ref.py --threads 2                       # issue-5 CPU config
  python3 bench/torch_train_ref.py --device cuda --preset 75m --batch 8 --mode fp32
  python3 bench/torch_train_ref.py --device cuda --preset 75m --batch 32 --mode bf16

--mode fp32 turns TF32 off (true fp32 matmuls); bf16 runs autocast(bfloat16) with
scaled_dot_product_attention (flash/efficient kernels); fp32 uses explicit attention like ours.
Batches are seeded uniform tokens; this measures speed, not learning.
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F

PRESETS = {
    # issue 5, CPU part: 426k parameters
    "cpu": dict(vocab=256, context=64, layers=2, hidden=128, heads=4, kv_heads=4, head_dim=32, ffn=320, batch=8),
    # tiny config's architecture
    "tiny": dict(vocab=146, context=128, layers=4, hidden=128, heads=4, kv_heads=2, head_dim=32, ffn=320, batch=16),
    # Poetru-75M shape as plain GQA
    "75m": dict(vocab=24000, context=512, layers=12, hidden=640, heads=8, kv_heads=4, head_dim=80, ffn=1728, batch=8),
}


class Model(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        C, H, KV, d, F_ = c["hidden"], c["heads"], c["kv_heads"], c["head_dim"], c["ffn"]
        std = 0.02
        P = lambda *s: torch.nn.Parameter(torch.randn(*s) * std)
        self.wte = P(c["vocab"], C)
        self.layers = torch.nn.ModuleList()
        for _ in range(c["layers"]):
            m = torch.nn.Module()
            m.attn_norm = torch.nn.Parameter(torch.ones(C))
            m.wq, m.wk, m.wv, m.wo = P(C, H * d), P(C, KV * d), P(C, KV * d), P(H * d, C)
            m.mlp_norm = torch.nn.Parameter(torch.ones(C))
            m.gate, m.up, m.down = P(C, F_), P(C, F_), P(F_, C)
            self.layers.append(m)
        self.norm_f = torch.nn.Parameter(torch.ones(C))
        T, half = c["context"], d // 2
        inv = 10000.0 ** (-torch.arange(half, dtype=torch.float32) * 2 / d)
        ang = torch.arange(T, dtype=torch.float32)[:, None] * inv[None, :]
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)
        self.register_buffer("mask", torch.full((T, T), -1e9).triu(1), persistent=False)

    @staticmethod
    def rms(x, s, eps=1e-6):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * s

    def rope(self, x):  # x [B, n, T, d]
        d = x.shape[-1]
        x1, x2 = x[..., : d // 2], x[..., d // 2 :]
        cos, sin = self.cos[: x.shape[2]], self.sin[: x.shape[2]]
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1)

    def forward(self, idx, sdpa):
        c = self.c
        B, T = idx.shape
        H, KV, d = c["heads"], c["kv_heads"], c["head_dim"]
        x = self.wte[idx]
        for m in self.layers:
            h = self.rms(x, m.attn_norm)
            q = self.rope((h @ m.wq).view(B, T, H, d).transpose(1, 2))
            k = self.rope((h @ m.wk).view(B, T, KV, d).transpose(1, 2))
            v = (h @ m.wv).view(B, T, KV, d).transpose(1, 2)
            if sdpa:
                k, v = k.repeat_interleave(H // KV, 1), v.repeat_interleave(H // KV, 1)
                o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:  # fold the g query heads of a group into rows, as gpt.ts does
                g = H // KV
                qg = q.reshape(B, KV, g * T, d)
                s = qg @ k.transpose(-1, -2) / math.sqrt(d) + self.mask[:T, :T].repeat(g, 1)
                o = (s.softmax(-1) @ v).reshape(B, H, T, d)
            x = x + o.transpose(1, 2).reshape(B, T, H * d) @ m.wo
            h = self.rms(x, m.mlp_norm)
            x = x + (F.silu(h @ m.gate) * (h @ m.up)) @ m.down
        return self.rms(x, self.norm_f) @ self.wte.t()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="cpu", choices=PRESETS)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--mode", default="fp32", choices=["fp32", "bf16"])
    a = ap.parse_args()
    c = dict(PRESETS[a.preset])
    if a.batch:
        c["batch"] = a.batch
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    dev = torch.device(a.device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    model = Model(c).to(dev)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    other = [p for n, p in model.named_parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.95), eps=1e-8)
    B, T, V = c["batch"], c["context"], c["vocab"]
    gen = torch.Generator().manual_seed(0)
    batches = [torch.randint(0, V, (B, T + 1), generator=gen) for _ in range(4)]
    first = last = float("nan")
    t0 = 0.0
    for i in range(a.warmup + a.steps):
        if i == a.warmup:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
        xy = batches[i % len(batches)].to(dev, non_blocking=True)
        x, y = xy[:, :-1], xy[:, 1:]
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.mode == "bf16"):
            logits = model(x, sdpa=a.mode == "bf16")
        loss = F.cross_entropy(logits.float().reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        # sync points as ours (bench/gpu.ts): the first (untimed) step and the last timed one; in
        # between, steps queue as in a training loop that logs every 10 or more steps
        if i == 0:
            first = loss.item()
        if i == a.warmup + a.steps - 1:
            last = loss.item()
    sec = time.perf_counter() - t0
    n_params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"device": str(dev) + (f" ({torch.cuda.get_device_name(0)})" if dev.type == "cuda" else f", {a.threads} threads"),
                      "torch": torch.__version__, "mode": a.mode, "params": n_params, "batch": B, "context": T,
                      "tokens_per_sec": a.steps * B * T / sec, "ms_per_step": sec * 1000 / a.steps,
                      "first_loss": first, "last_loss": last}), flush=True)


if __name__ == "__main__":
    main()
