#!/usr/bin/env python3
"""PyTorch 1.13 reference for `npm run bench -- cpu` (issue #20): times full training steps
(forward, backward, global-norm clip, AdamW) of the zoo's CPU shapes, the same architecture as
src/model/nn/gpt.ts, explicit (T x T) attention like Versiflow's CPU path, float32.

  python3 bench/reference/cpu_step.py --shape char-10m --threads 1 --steps 3
  python3 bench/reference/cpu_step.py --shape 75m --threads 2 --batch 1 --context 512

Prints one JSON line: {"shape", "threads", "batch", "context", "params", "tokens_per_sec", "ms_per_step", "best_tokens_per_sec" (the fastest timed step), "first_loss", "last_loss"}.
Batches are seeded uniform tokens: this measures speed, not learning.
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F

# configs/char-10m.yaml, configs/25m.yaml, configs/75m.yaml (latent K/V: kv_down then k_up, v_up)
SHAPES = {
    "char-10m": dict(vocab=201, context=256, layers=6, hidden=384, heads=6, kv_heads=6, head_dim=64, ffn=1536,
                     norm="layer", positions="learned", mlp="gelu", latent=0, batch=8),
    "25m": dict(vocab=24000, context=512, layers=5, hidden=384, heads=8, kv_heads=4, head_dim=48, ffn=1024,
                norm="rms", positions="rope", mlp="swiglu", latent=384, batch=1),
    "75m": dict(vocab=24000, context=512, layers=12, hidden=640, heads=8, kv_heads=4, head_dim=80, ffn=1728,
                norm="rms", positions="rope", mlp="swiglu", latent=640, batch=1),
}


class Model(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        C, H, KV, d, Fw, L = c["hidden"], c["heads"], c["kv_heads"], c["head_dim"], c["ffn"], c["latent"]
        P = lambda *s: torch.nn.Parameter(torch.randn(*s) * 0.02)
        self.wte = P(c["vocab"], C)
        if c["positions"] == "learned":
            self.wpe = P(c["context"], C)
        self.blocks = torch.nn.ModuleList()
        for _ in range(c["layers"]):
            m = torch.nn.Module()
            m.n1, m.n2 = torch.nn.Parameter(torch.ones(C)), torch.nn.Parameter(torch.ones(C))
            m.wq, m.wo = P(C, H * d), P(H * d, C)
            if L:
                m.kv_down, m.k_up, m.v_up = P(C, L), P(L, KV * d), P(L, KV * d)
            else:
                m.wk, m.wv = P(C, KV * d), P(C, KV * d)
            if c["mlp"] == "swiglu":
                m.gate_up, m.gu_bias = P(C, 2 * Fw), torch.nn.Parameter(torch.zeros(2 * Fw))
                m.down, m.down_bias = P(Fw, C), torch.nn.Parameter(torch.zeros(C))
            else:
                m.up, m.down = P(C, Fw), P(Fw, C)
            self.blocks.append(m)
        self.nf = torch.nn.Parameter(torch.ones(C))
        T, half = c["context"], d // 2
        inv = 10000.0 ** (-torch.arange(half, dtype=torch.float32) * 2 / d)
        ang = torch.arange(T, dtype=torch.float32)[:, None] * inv[None, :]
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)
        self.register_buffer("mask", torch.full((T, T), -1e9).triu(1), persistent=False)

    def norm(self, x, s):
        if self.c["norm"] == "layer":
            return F.layer_norm(x, (x.shape[-1],), s, None, 1e-5)
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * s

    def rope(self, x):  # x [B, n, T, d], half split
        T, h = x.shape[2], x.shape[3] // 2
        cos, sin = self.cos[:T], self.sin[:T]
        a, b = x[..., :h], x[..., h:]
        return torch.cat([a * cos - b * sin, a * sin + b * cos], -1)

    def forward(self, idx):
        c = self.c
        B, T = idx.shape
        H, KV, d = c["heads"], c["kv_heads"], c["head_dim"]
        x = self.wte[idx]
        if c["positions"] == "learned":
            x = x + self.wpe[:T]
        for m in self.blocks:
            h = self.norm(x, m.n1)
            q = (h @ m.wq).view(B, T, H, d).transpose(1, 2)
            z = h @ m.kv_down if c["latent"] else h
            k = (z @ (m.k_up if c["latent"] else m.wk)).view(B, T, KV, d).transpose(1, 2)
            v = (z @ (m.v_up if c["latent"] else m.wv)).view(B, T, KV, d).transpose(1, 2)
            if c["positions"] == "rope":
                q, k = self.rope(q), self.rope(k)
            g = H // KV
            qg = q.reshape(B, KV, g * T, d)
            s = qg @ k.transpose(-1, -2) / math.sqrt(d) + self.mask[:T, :T].repeat(g, 1)
            o = (s.softmax(-1) @ v).reshape(B, H, T, d).transpose(1, 2).reshape(B, T, H * d)
            x = x + o @ m.wo
            h = self.norm(x, m.n2)
            if c["mlp"] == "swiglu":
                gu = h @ m.gate_up + m.gu_bias
                gate, up = gu.chunk(2, -1)
                x = x + (F.silu(gate) * up) @ m.down + m.down_bias
            else:
                x = x + F.gelu(h @ m.up, approximate="tanh") @ m.down
        return self.norm(x, self.nf) @ self.wte.t()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="char-10m", choices=sorted(SHAPES))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--context", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    c = dict(SHAPES[a.shape])
    B = a.batch or c["batch"]
    T = a.context or c["context"]
    model = Model(c)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    gen = torch.Generator().manual_seed(2)
    first = last = float("nan")
    t0 = 0.0
    step_ms = []
    for i in range(a.warmup + a.steps):
        if i == a.warmup:
            t0 = time.perf_counter()
        ts = time.perf_counter()
        ids = torch.randint(0, c["vocab"], (B, T + 1), generator=gen)
        logits = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, c["vocab"]), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        value = loss.item()
        if i >= a.warmup:
            step_ms.append(1000 * (time.perf_counter() - ts))
        if i == 0:
            first = value
        last = value
    sec = time.perf_counter() - t0
    print(json.dumps(dict(shape=a.shape, threads=a.threads, batch=B, context=T, params=params,
                          tokens_per_sec=a.steps * B * T / sec, ms_per_step=1000 * sec / a.steps,
                          best_tokens_per_sec=B * T / (min(step_ms) / 1000), first_loss=first, last_loss=last)))


if __name__ == "__main__":
    main()
