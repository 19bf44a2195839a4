#!/usr/bin/env python3
"""Write an imported DDOQ prior: TorchScript encoder/decoder/DiT plus prior.json (type "torchscript").

The Java side (org.ddoq.core.prior.TorchScriptSession, DJL's PyTorch engine) calls the three files as:
  encoder.pt  image (N,C,H,W) float32 in the prior's pixel normalisation ([-1,1] for Stable Diffusion)
              -> posterior MEAN (N,c,h,w), unscaled (no 0.18215)
  decoder.pt  unscaled latent (N,c,h,w) -> image (N,C,H,W) in the same normalisation (Java clamps)
  dit.pt      (x_t * scaleFactor (N,c,h,w) float32, t (N,) int64, y (N,) int64; y = numClasses is the
              null label) -> (N,2c,h,w): epsilon then the learned-sigma channels
prior.json follows core/src/main/java/org/ddoq/core/prior/PriorSpecJson.java (formatVersion 1).

Real mode (Stable Diffusion VAE + DiT-XL/2 at 256 px), where PyTorch, diffusers and the checkpoints are
installed; NOTHING is downloaded, every input is a local path:
  python3 ddoq_export_prior.py --out prior-dit-xl \\
      --vae-dir ./sd-vae-ft-ema \\            # a diffusers AutoencoderKL directory (config.json + weights)
      --dit-repo ./DiT \\                     # a clone of facebookresearch/DiT (for its models.py)
      --dit-checkpoint ./DiT-XL-2-256x256.pt \\
      [--class-names imagenet_classes.txt] [--device cpu|cuda]
  Trace on the device the prior will run on (--device): tracing records the device of tensors that the
  model creates inside forward (DiT's timestep frequencies), so a CPU trace is for CPU executors.
  This mode was written against diffusers' AutoencoderKL and DiT's models.py but has not been run on
  the machines where DDOQ is developed (they have neither diffusers nor the checkpoints).

Tiny mode: small RANDOM-WEIGHT modules with the same call signatures, seeded, for tests and CI; runs
with Debian's python3-torch (1.13) and nothing else:
  /usr/bin/python3 ddoq_export_prior.py --tiny --out /tmp/tiny-prior [--image-shape 1,28,28]
      [--classes 10] [--seed 0]
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

SD_SCALE_FACTOR = 0.18215
FILES = {"encoder": "encoder.pt", "decoder": "decoder.pt", "dit": "dit.pt"}


def write_prior_json(out, image_shape, latent_shape, scale_factor, class_names, pixel_mean, pixel_std):
    """prior.json exactly as PriorSpecJson reads it; DiT's schedule (T=1000, linear 1e-4..0.02)."""
    c, h, w = image_shape
    lc, lh, lw = latent_shape
    spec = {
        "formatVersion": 1,
        "type": "torchscript",
        "imageShape": {"channels": c, "height": h, "width": w},
        "latentShape": {"channels": lc, "height": lh, "width": lw},
        "scaleFactor": scale_factor,
        "classNames": list(class_names),
        "pixelNormalization": {"mean": pixel_mean, "std": pixel_std},
        "files": dict(FILES),
        "architecture": {},
        "training": None,
        "diffusion": {"timesteps": 1000, "betaStart": 1e-4, "betaEnd": 0.02, "schedule": "linear",
                      "numClasses": len(class_names), "learnedSigma": True},
        "reconstructionMse": None,
    }
    with open(os.path.join(out, "prior.json"), "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")


# ---------------------------------------------------------------- real mode: SD VAE + DiT-XL/2

class SdEncoder(nn.Module):
    """AutoencoderKL.encode(x).latent_dist.mean without diffusers' output classes (traceable)."""

    def __init__(self, vae):
        super().__init__()
        self.encoder = vae.encoder
        # newer diffusers configs may drop the 1x1 quant conv (use_quant_conv=False)
        quant_conv = getattr(vae, "quant_conv", None)
        self.quant_conv = nn.Identity() if quant_conv is None else quant_conv

    def forward(self, x):
        moments = self.quant_conv(self.encoder(x))
        mean, _logvar = torch.chunk(moments, 2, dim=1)
        return mean


class SdDecoder(nn.Module):
    """AutoencoderKL.decode(z).sample for an unscaled latent z."""

    def __init__(self, vae):
        super().__init__()
        post_quant_conv = getattr(vae, "post_quant_conv", None)
        self.post_quant_conv = nn.Identity() if post_quant_conv is None else post_quant_conv
        self.decoder = vae.decoder

    def forward(self, z):
        return self.decoder(self.post_quant_conv(z))


def export_real(args):
    from diffusers.models import AutoencoderKL  # only needed here; tiny mode runs without it

    device = torch.device(args.device)
    size, latent = 256, 32
    vae = AutoencoderKL.from_pretrained(args.vae_dir, local_files_only=True).to(device).eval()
    sys.path.insert(0, args.dit_repo)
    from models import DiT_models  # facebookresearch/DiT's models.py
    dit = DiT_models["DiT-XL/2"](input_size=latent, num_classes=1000)
    state = torch.load(args.dit_checkpoint, map_location="cpu")
    if "ema" in state:  # DiT's own training checkpoints; the released .pt is the EMA state_dict itself
        state = state["ema"]
    dit.load_state_dict(state)
    dit = dit.to(device).eval()  # eval: no label dropout, y passes through (1000 = null label)

    gen = torch.Generator().manual_seed(0)
    image = (torch.rand(1, 3, size, size, generator=gen) * 2 - 1).to(device)
    z = torch.randn(1, 4, latent, latent, generator=gen).to(device)
    t = torch.tensor([500], dtype=torch.int64, device=device)
    y = torch.tensor([1], dtype=torch.int64, device=device)
    with torch.no_grad():
        save(torch.jit.trace(SdEncoder(vae).eval(), image), args.out, "encoder")
        save(torch.jit.trace(SdDecoder(vae).eval(), z), args.out, "decoder")
        save(torch.jit.trace(dit, (z * SD_SCALE_FACTOR, t, y)), args.out, "dit")
    write_prior_json(args.out, (3, size, size), (4, latent, latent), SD_SCALE_FACTOR,
                     class_names(args.class_names, 1000), 0.5, 0.5)


# ---------------------------------------------------------------- tiny mode: random stand-ins

class TinyEncoder(nn.Module):
    """conv 3x3 -> SiLU -> average pool by `factor` -> conv 1x1 to 4 channels (the posterior mean)."""

    def __init__(self, channels, factor, latent_channels=4, width=8):
        super().__init__()
        self.conv = nn.Conv2d(channels, width, 3, padding=1)
        self.pool = nn.AvgPool2d(factor)
        self.out = nn.Conv2d(width, latent_channels, 1)

    def forward(self, x):
        return self.out(self.pool(F.silu(self.conv(x))))


class TinyDecoder(nn.Module):
    """conv 1x1 -> SiLU -> nearest upsampling by `factor` -> conv 3x3 -> tanh (inside [-1,1] like SD)."""

    def __init__(self, channels, factor, latent_channels=4, width=8):
        super().__init__()
        self.inp = nn.Conv2d(latent_channels, width, 1)
        self.up = nn.Upsample(scale_factor=float(factor), mode="nearest")
        self.conv = nn.Conv2d(width, channels, 3, padding=1)

    def forward(self, z):
        return torch.tanh(self.conv(self.up(F.silu(self.inp(z)))))


class TinyDiT(nn.Module):
    """One DiT block on 1x1 patches: token embedding + position, sinusoidal t and label embeddings
    (numClasses + 1 rows: the last is the null label), adaLN-modulated attention and MLP, linear head
    to 2C channels per token (epsilon and a learned-sigma half), as DiT's call signature.

    Epsilon is the exact prediction for N(0, I) latents, sqrt(1 - abar_t) x_t, plus the block's random
    output scaled by `residual`: a purely random epsilon makes DDIM's x0 = (x_t - sqrt(1 - abar) eps) /
    sqrt(abar) blow up near t = T (1/sqrt(abar) ~ 160), whereas this keeps samples O(1) as a trained
    model's are, so tests and a distill run on the tiny prior see sensible magnitudes."""

    def __init__(self, latent_channels, tokens, num_classes, dim=32, heads=2, residual=0.1):
        super().__init__()
        self.dim = dim
        self.residual = residual
        betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)  # DiT's schedule, as in prior.json
        self.register_buffer("sqrt_one_minus_abar", torch.sqrt(1 - torch.cumprod(1 - betas, 0)).float())
        self.embed = nn.Linear(latent_channels, dim)
        self.pos = nn.Parameter(torch.randn(1, tokens, dim) * 0.1)
        self.t_mlp = nn.Sequential(nn.Linear(dim, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.labels = nn.Embedding(num_classes + 1, dim)
        self.ada = nn.Linear(dim, 4 * dim)
        self.norm = nn.LayerNorm(dim, elementwise_affine=False)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))
        self.head = nn.Linear(dim, 2 * latent_channels)

    def timestep_embedding(self, t):
        half = self.dim // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
        angles = t.to(torch.float32)[:, None] * freqs[None, :]
        return torch.cat([torch.cos(angles), torch.sin(angles)], dim=1)

    def forward(self, x, t, y):
        n, c, h, w = x.shape
        tokens = self.embed(x.flatten(2).transpose(1, 2)) + self.pos
        cond = self.t_mlp(self.timestep_embedding(t)) + self.labels(y)
        shift1, scale1, shift2, scale2 = self.ada(F.silu(cond)).unsqueeze(1).chunk(4, dim=2)
        a = self.norm(tokens) * (1 + scale1) + shift1
        tokens = tokens + self.attn(a, a, a, need_weights=False)[0]
        tokens = tokens + self.mlp(self.norm(tokens) * (1 + scale2) + shift2)
        out = self.head(tokens).transpose(1, 2).reshape(n, 2 * c, h, w)
        eps = self.sqrt_one_minus_abar[t].view(n, 1, 1, 1) * x + self.residual * out[:, :c]
        return torch.cat([eps, out[:, c:]], dim=1)


def export_tiny(args):
    torch.manual_seed(args.seed)
    c, h, w = args.image_shape
    factor = 8 if h % 8 == 0 and w % 8 == 0 else 4  # 28x28 (Fashion-MNIST) -> 7x7, as the built-in VAE
    if h % factor or w % factor:
        raise SystemExit("--image-shape height and width must be multiples of 4, got %dx%d" % (h, w))
    latent = (4, h // factor, w // factor)
    modules = {
        "encoder": TinyEncoder(c, factor),
        "decoder": TinyDecoder(c, factor),
        "dit": TinyDiT(4, latent[1] * latent[2], args.classes),
    }
    for role, module in modules.items():
        save(torch.jit.script(module.eval()), args.out, role)
    write_prior_json(args.out, (c, h, w), latent, SD_SCALE_FACTOR, class_names(args.class_names, args.classes),
                     0.5, 0.5)


# ---------------------------------------------------------------- shared

def save(module, out, role):
    module.save(os.path.join(out, FILES[role]))


def class_names(path, count):
    if path is None:
        return [str(i) for i in range(count)]
    with open(path) as f:
        names = [line.strip() for line in f if line.strip()]
    if len(names) != count:
        raise SystemExit("%s has %d class names, expected %d" % (path, len(names), count))
    return names


def shape(text):
    parts = [int(p) for p in text.replace("x", ",").split(",")]
    if len(parts) != 3 or min(parts) < 1:
        raise argparse.ArgumentTypeError("expected C,H,W, e.g. 1,28,28")
    return tuple(parts)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="See the header of this file for both modes' command lines.")
    p.add_argument("--out", required=True, help="prior directory to write (created if missing)")
    p.add_argument("--tiny", action="store_true", help="random-weight stand-ins (tests, CI)")
    p.add_argument("--image-shape", type=shape, default=(1, 28, 28), help="tiny mode: C,H,W (default 1,28,28)")
    p.add_argument("--classes", type=int, default=10, help="tiny mode: number of classes (default 10)")
    p.add_argument("--seed", type=int, default=0, help="tiny mode: weight seed (default 0)")
    p.add_argument("--vae-dir", help="real mode: local diffusers AutoencoderKL directory (sd-vae-ft-ema)")
    p.add_argument("--dit-repo", help="real mode: local clone of facebookresearch/DiT (models.py)")
    p.add_argument("--dit-checkpoint", help="real mode: DiT-XL-2-256x256.pt")
    p.add_argument("--class-names", help="text file, one class name per line (default: '0', '1', ...)")
    p.add_argument("--device", default="cpu", help="real mode: device to trace on (default cpu)")
    args = p.parse_args(argv)
    if not args.tiny and not (args.vae_dir and args.dit_repo and args.dit_checkpoint):
        p.error("real mode needs --vae-dir, --dit-repo and --dit-checkpoint (or pass --tiny)")
    if args.classes < 1:
        p.error("--classes must be at least 1")
    os.makedirs(args.out, exist_ok=True)
    (export_tiny if args.tiny else export_real)(args)
    print("wrote", os.path.join(args.out, "prior.json"), "and", ", ".join(FILES.values()))


if __name__ == "__main__":
    main()
