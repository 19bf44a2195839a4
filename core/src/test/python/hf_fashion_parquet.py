"""Writes the first N Fashion-MNIST training and test images as a Hugging Face `datasets` table (the
fixture core/src/test/resources/org/ddoq/core/data/hf-fashion-mnist of ParquetImageReaderTest): an Image
feature (PNG bytes, path null) and a ClassLabel with the ten names, saved with `Dataset.to_parquet` in the
hub layout OUT/data/{train,test}-00000-of-00001.parquet. The fixture was written with datasets 5.0.1 and
pyarrow 25.0.1, which no Debian package provides (a virtualenv with `pip install datasets pillow`).

    python hf_fashion_parquet.py --count 30 --out OUT
"""
import argparse
import gzip

import numpy as np
from datasets import ClassLabel, Dataset, Features, Image
from PIL import Image as PILImage

FASHION = "/usr/share/datasets/fashion-mnist"
NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def idx(prefix, count):
    with gzip.open(f"{FASHION}/{prefix}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16)[: count * 784].reshape(count, 28, 28)
    with gzip.open(f"{FASHION}/{prefix}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:count]
    return images, labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    features = Features({"image": Image(), "label": ClassLabel(names=NAMES)})
    for prefix, split in (("train", "train"), ("t10k", "test")):
        images, labels = idx(prefix, args.count)
        data = Dataset.from_dict(
            {"image": [PILImage.fromarray(a, mode="L") for a in images], "label": labels.tolist()},
            features=features)
        data.to_parquet(f"{args.out}/data/{split}-00000-of-00001.parquet")


if __name__ == "__main__":
    main()
