#!/usr/bin/env python3
"""The PyTorch (CPU) peer of `npm run bench:train`: one diffusion training step (forward, ε-loss,
backward, Adam with bias correction, EMA of the weights) of the same architectures as
examples/mlp2d.dn, examples/unet_small.dn and examples/fmnist_unet.dn, written in torch here, at the
same batch and thread count. Prints one JSON object: {"model", "batch", "threads", "torch",
"seconds": [per-step wall seconds after one warm-up step]}.

Usage: python3 bench/peers/torch_train.py MODEL BATCH STEPS [THREADS]   (MODEL: mlp2d | unet_small | fmnist_unet)
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def timestep_embedding(t, dim):
    # Sinusoidal embedding, cos half then sin half, frequencies 10000^(-k/half) (Ho et al. 2020).
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class TimestepEmbedder(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.dim = dim
        self.fc1, self.fc2 = nn.Linear(dim, hidden), nn.Linear(hidden, hidden)

    def forward(self, t):
        return self.fc2(F.silu(self.fc1(timestep_embedding(t, self.dim))))


class ResMLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)

    def forward(self, h, e):
        return h + self.fc(F.silu(h + e))


class MLP2D(nn.Module):
    def __init__(self, hidden=128, depth=3):
        super().__init__()
        self.embed = TimestepEmbedder(64, hidden)
        self.inp = nn.Linear(2, hidden)
        self.blocks = nn.ModuleList([ResMLP(hidden) for _ in range(depth)])
        self.out = nn.Linear(hidden, 2)

    def forward(self, x, t, y=None):
        e, h = self.embed(t), self.inp(x)
        for b in self.blocks:
            h = b(h, e)
        return self.out(F.silu(h))


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb, groups=8):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(groups, cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.proj = nn.Linear(temb, cout)
        self.norm2, self.conv2 = nn.GroupNorm(groups, cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, e):
        h = self.conv1(F.silu(self.norm1(x))) + self.proj(F.silu(e))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class SelfAttention2d(nn.Module):
    def __init__(self, ch, heads):
        super().__init__()
        self.heads, self.norm = heads, nn.GroupNorm(8, ch)
        self.q, self.k, self.v, self.proj = (nn.Linear(ch, ch) for _ in range(4))

    def forward(self, x):
        b, c, h, w = x.shape
        tok = self.norm(x).reshape(b, c, h * w).transpose(1, 2)
        split = lambda z: z.reshape(b, h * w, self.heads, c // self.heads).transpose(1, 2)
        o = F.scaled_dot_product_attention(split(self.q(tok)), split(self.k(tok)), split(self.v(tok)))
        o = self.proj(o.transpose(1, 2).reshape(b, h * w, c))
        return x + o.transpose(1, 2).reshape(b, c, h, w)


class UNet(nn.Module):
    def __init__(self, ch=64, temb=128, classes=10):
        super().__init__()
        self.time, self.label = TimestepEmbedder(64, temb), nn.Embedding(classes + 1, temb)
        self.stem = nn.Conv2d(1, ch, 3, padding=1)
        self.down0, self.pool0 = ResBlock(ch, ch, temb), nn.Conv2d(ch, ch, 3, stride=2, padding=1)
        self.down1, self.pool1 = ResBlock(ch, 2 * ch, temb), nn.Conv2d(2 * ch, 2 * ch, 3, stride=2, padding=1)
        self.mid = nn.ModuleList([ResBlock(2 * ch, 2 * ch, temb) for _ in range(2)])
        self.attn = SelfAttention2d(2 * ch, 4)
        self.up1, self.up0 = ResBlock(4 * ch, 2 * ch, temb), ResBlock(3 * ch, ch, temb)
        self.norm, self.out = nn.GroupNorm(8, ch), nn.Conv2d(ch, 1, 3, padding=1)

    def forward(self, x, t, y):
        e = self.time(t) + self.label(y)
        h0 = self.down0(self.stem(x), e)
        h1 = self.down1(self.pool0(h0), e)
        h = self.mid[0](self.pool1(h1), e)
        h = self.mid[1](self.attn(h), e)
        h = self.up1(torch.cat([F.interpolate(h, scale_factor=2, mode="nearest"), h1], 1), e)
        h = self.up0(torch.cat([F.interpolate(h, scale_factor=2, mode="nearest"), h0], 1), e)
        return self.out(F.silu(self.norm(h)))


def main():
    name, batch, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if name == "mlp2d":
        model, shape = MLP2D(), (batch, 2)
    elif name in ("unet_small", "fmnist_unet"):
        model, shape = UNet(ch=64 if name == "unet_small" else 32), (batch, 1, 28, 28)
    else:
        raise SystemExit(f"unknown model {name!r}: mlp2d | unet_small | fmnist_unet")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, foreach=True)
    ema = [p.detach().clone() for p in model.parameters()]
    x0 = torch.randn(shape)
    seconds = []
    for k in range(steps + 1):
        start = time.perf_counter()
        noise = torch.randn(shape)
        t = torch.rand(batch) * 1000
        alpha = torch.rand(batch).view(batch, *([1] * (len(shape) - 1)))
        sigma = (1 - alpha**2).sqrt()
        y = torch.randint(0, 11, (batch,))
        loss = F.mse_loss(model(alpha * x0 + sigma * noise, t, y), noise)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            d = min(0.999, (2 + k) / (11 + k))
            torch._foreach_lerp_(ema, list(model.parameters()), 1 - d)
        if k > 0:
            seconds.append(time.perf_counter() - start)
    print(json.dumps({"model": name, "batch": batch, "threads": threads, "torch": torch.__version__, "seconds": seconds}))


if __name__ == "__main__":
    main()
