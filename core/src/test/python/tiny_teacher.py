"""A tiny TorchScript teacher for ddoq's tests of `evaluate --teacher`, in the format users bring:
input float32 in [0, 1], N x C x H x W; output logits. Conv 3x3 + ReLU + average pool + linear, trained
for a few seconds on the first Fashion-MNIST training images so that its soft labels mean something,
then traced. Options write the broken teachers the import must refuse. Needs Debian's python3-torch.

    /usr/bin/python3 tiny_teacher.py --out teacher.pt [--epochs 0] [--classes 7] [--channels 3]
        [--constant] [--print-test 3]
"""
import argparse
import gzip

import numpy as np
import torch

FASHION = "/usr/share/datasets/fashion-mnist"


def idx(name, limit):
    with gzip.open(f"{FASHION}/{name}", "rb") as f:
        data = f.read()
    if name.startswith(("train-images", "t10k-images")):
        return np.frombuffer(data, np.uint8, offset=16)[: limit * 784].reshape(-1, 1, 28, 28)
    return np.frombuffer(data, np.uint8, offset=8)[:limit]


class Tiny(torch.nn.Module):
    def __init__(self, channels, classes, constant):
        super().__init__()
        self.conv = torch.nn.Conv2d(channels, 16, 3, padding=1)
        self.pool = torch.nn.AvgPool2d(4)  # 28x28 -> 7x7: other image sizes fail in the linear layer
        self.head = torch.nn.Linear(16 * 7 * 7, classes)
        self.constant = constant

    def forward(self, x):
        logits = self.head(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))
        # --constant: always class 0, a teacher no better than chance
        return logits * 0 + torch.arange(logits.shape[1], 0, -1, dtype=logits.dtype) if self.constant else logits


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--images", type=int, default=2000, help="first N Fashion-MNIST training images")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--classes", type=int, default=10, help="width of the logits")
    p.add_argument("--channels", type=int, default=1, help="input channels the first convolution takes")
    p.add_argument("--constant", action="store_true")
    p.add_argument("--print-test", type=int, default=0, help="print the logits of the first N test images")
    a = p.parse_args()
    torch.manual_seed(0)
    net = Tiny(a.channels, a.classes, a.constant)
    if a.epochs > 0:
        x = torch.from_numpy(idx("train-images-idx3-ubyte.gz", a.images).astype(np.float32) / 255)
        y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz", a.images).astype(np.int64))
        opt = torch.optim.Adam(net.parameters(), lr=3e-3)
        for _ in range(a.epochs):
            for i in torch.randperm(len(x)).split(64):
                opt.zero_grad()
                torch.nn.functional.cross_entropy(net(x[i]), y[i]).backward()
                opt.step()
    net.eval()
    traced = torch.jit.trace(net, torch.rand(2, a.channels, 28, 28))
    traced.save(a.out)
    if a.print_test:
        test = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz", a.print_test).astype(np.float32) / 255)
        with torch.no_grad():
            for row in traced(test):
                print(" ".join(f"{v:.6f}" for v in row.tolist()))


if __name__ == "__main__":
    main()
