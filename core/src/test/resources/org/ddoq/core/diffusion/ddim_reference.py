"""Reference DDIM for SamplerParityTest: the sampling loop of org.ddoq.core.diffusion.DdimSampler, written
from its class comment in NumPy/PyTorch, run on the same TorchScript DiT (dit.pt) with recorded noise.

Usage: ddim_reference.py PRIOR_DIR INPUT_FILE. The schedule comes from PRIOR_DIR/prior.json ("diffusion").
INPUT_FILE tokens: strength steps guidance eta B size, then B labels, then B start latents (already
multiplied by the scale factor, size floats each), then per image: a count k and k noise vectors in the
order the sampler drew them (q_sample first, then one per stochastic step).
Prints the visited timesteps on one line, then the B sampled latents, one line each.
"""
import json
import math
import os
import sys

import numpy as np
import torch


def visited(T, strength, steps):
    """t_start = clip(round(s T) - 1, 0, T-1); n = min(max(1, round(steps s)), t_start + 1) timesteps
    u_j = round(j t_start / (n - 1)) in exact integers, visited descending; round(v) = floor(v + 0.5)."""
    if strength == 0:
        return []
    t_start = min(max(math.floor(strength * T + 0.5) - 1, 0), T - 1)
    n = min(max(1, math.floor(steps * strength + 0.5)), t_start + 1)
    if n == 1:
        return [t_start]
    return [(2 * j * t_start + (n - 1)) // (2 * (n - 1)) for j in reversed(range(n))]


def alpha_bar(diffusion):
    # DiT: betas = np.linspace(1e-4, 0.02, 1000) in float64, alphas_cumprod = cumprod(1 - betas)
    betas = np.linspace(diffusion["betaStart"], diffusion["betaEnd"], diffusion["timesteps"], dtype=np.float64)
    return np.cumprod(1.0 - betas)


def sample(dit, abar, null_label, x0, labels, noise, strength, steps, guidance, eta):
    """float64 between model calls, float32 into the model; eps = eps_u + g (eps_c - eps_u), one call on
    [conditional batch; unconditional batch] per step (none when g == 1); no clipping of x0_pred."""
    taus = visited(len(abar), strength, steps)
    if not taus:
        return taus, x0.astype(np.float32)
    b, size = x0.shape
    drawn = [0] * b

    def draw(i):
        drawn[i] += 1
        return noise[i][drawn[i] - 1]

    a0 = abar[taus[0]]
    x = np.stack([math.sqrt(a0) * x0[i] + math.sqrt(1 - a0) * draw(i) for i in range(b)])
    for k, tau in enumerate(taus):
        a = abar[tau]
        ap = abar[taus[k + 1]] if k + 1 < len(taus) else 1.0
        sigma = eta * math.sqrt((1 - ap) / (1 - a)) * math.sqrt(1 - a / ap)
        xin = torch.from_numpy(x.astype(np.float32))
        if guidance != 1:
            ys = torch.tensor(list(labels) + [null_label] * b, dtype=torch.int64)
            out = dit(torch.cat([xin, xin]), torch.full((2 * b,), tau, dtype=torch.int64), ys)
            out = out.reshape(2 * b, -1)[:, :size].numpy().astype(np.float64)
            eps = out[b:] + guidance * (out[:b] - out[b:])
        else:
            out = dit(xin, torch.full((b,), tau, dtype=torch.int64), torch.tensor(labels, dtype=torch.int64))
            eps = out.reshape(b, -1)[:, :size].numpy().astype(np.float64)
        x0_pred = (x - math.sqrt(1 - a) * eps) / math.sqrt(a)
        x = math.sqrt(ap) * x0_pred + math.sqrt(max(0.0, 1 - ap - sigma * sigma)) * eps
        if sigma > 0:
            x = x + sigma * np.stack([draw(i) for i in range(b)])
    return taus, x.astype(np.float32)


def main():
    prior_dir, input_file = sys.argv[1], sys.argv[2]
    with open(os.path.join(prior_dir, "prior.json")) as f:
        spec = json.load(f)
    latent = [spec["latentShape"][k] for k in ("channels", "height", "width")]
    with open(input_file) as f:
        tokens = f.read().split()
    strength, steps, guidance, eta = float(tokens[0]), int(tokens[1]), float(tokens[2]), float(tokens[3])
    b, size = int(tokens[4]), int(tokens[5])
    pos = 6
    labels = [int(v) for v in tokens[pos:pos + b]]
    pos += b
    x0 = np.array(tokens[pos:pos + b * size], dtype=np.float64).astype(np.float32).astype(np.float64)
    pos += b * size
    noise = []
    for _ in range(b):
        k = int(tokens[pos])
        pos += 1
        noise.append([np.array(tokens[pos + j * size:pos + (j + 1) * size], dtype=np.float64) for j in range(k)])
        pos += k * size
    dit = torch.jit.load(os.path.join(prior_dir, spec["files"]["dit"]))
    with torch.no_grad():
        taus, x = sample(lambda xt, t, y: dit(xt.reshape([-1] + latent), t, y), alpha_bar(spec["diffusion"]),
                         spec["diffusion"]["numClasses"], x0.reshape(b, size), labels, noise, strength, steps,
                         guidance, eta)
    print(" ".join(str(t) for t in taus))
    for row in x:
        print(" ".join(repr(float(v)) for v in row))


if __name__ == "__main__":
    assert visited(1000, 1.0, 25)[:3] == [999, 957, 916] and visited(1000, 1.0, 25)[-2:] == [42, 0]
    assert len(visited(1000, 0.7, 50)) == 35 and visited(1000, 0.7, 50)[0] == 699
    main()
