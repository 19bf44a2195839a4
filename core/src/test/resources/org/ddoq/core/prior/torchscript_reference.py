"""Python's outputs of a TorchScript prior's files, for TorchScriptPriorTest to compare with Java's.

Usage: torchscript_reference.py PRIOR_DIR INPUT_FILE. The input file holds whitespace-separated tokens,
sections of the form
  encode N   then N images of C*H*W pixel values 0..255
  decode N   then N latents of c*h*w floats (unscaled)
  denoise N  then N latents (scaled) of c*h*w floats, N timesteps, N labels
Prints, per section, N lines of space-separated floats: encode -> posterior means; decode -> pixel
values (y * std + mean) * 255 before rounding; denoise -> epsilon (the first c output channels).
Pixels are normalised in float32 exactly as VaeCodec does, so both sides feed the modules the same bits.
"""
import json
import os
import sys

import numpy as np
import torch

prior_dir, input_file = sys.argv[1], sys.argv[2]
with open(os.path.join(prior_dir, "prior.json")) as f:
    spec = json.load(f)
files = {role: torch.jit.load(os.path.join(prior_dir, name)) for role, name in spec["files"].items()}
image = [spec["imageShape"][k] for k in ("channels", "height", "width")]
latent = [spec["latentShape"][k] for k in ("channels", "height", "width")]
mean, std = spec["pixelNormalization"]["mean"], spec["pixelNormalization"]["std"]

with open(input_file) as f:
    tokens = f.read().split()
pos = 0


def take(count, dtype):
    global pos
    values = np.array(tokens[pos:pos + count], dtype=np.float64).astype(dtype)
    pos += count
    return values


def emit(rows):
    for row in rows.reshape(rows.shape[0], -1):
        print(" ".join(repr(float(v)) for v in row))


with torch.no_grad():
    while pos < len(tokens):
        kind, n = tokens[pos], int(tokens[pos + 1])
        pos += 2
        if kind == "encode":
            pixels = take(n * int(np.prod(image)), np.float32)
            x = pixels * np.float32(1 / (255 * std)) - np.float32(mean / std)
            emit(files["encoder"](torch.from_numpy(x.reshape([n] + image))).numpy())
        elif kind == "decode":
            z = take(n * int(np.prod(latent)), np.float32).reshape([n] + latent)
            y = files["decoder"](torch.from_numpy(z)).numpy().astype(np.float64)
            emit((y * std + mean) * 255)
        elif kind == "denoise":
            x = torch.from_numpy(take(n * int(np.prod(latent)), np.float32).reshape([n] + latent))
            t = torch.from_numpy(take(n, np.int64))
            y = torch.from_numpy(take(n, np.int64))
            emit(files["dit"](x, t, y)[:, :latent[0]].numpy())
        else:
            raise SystemExit("unknown section " + kind)
