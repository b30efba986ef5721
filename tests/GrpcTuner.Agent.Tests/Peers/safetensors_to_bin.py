"""Writes a PyTorch checkpoint (pytorch_model.bin, torch.save of a state dict, as transformers
saved them before safetensors) from a .safetensors file, with Debian's python3-torch. Optionally
renames LayerNorm weight/bias to gamma/beta, as TensorFlow-era checkpoints (bert-base-uncased)
have them, and adds a prefix to every name."""
import argparse
import json
import struct

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("target")
    ap.add_argument("--legacy-names", action="store_true")
    ap.add_argument("--prefix", default="")
    a = ap.parse_args()
    state = {}
    for name, tensor in read_safetensors(a.source).items():
        if a.legacy_names and "LayerNorm" in name:
            name = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        state[a.prefix + name] = tensor
    torch.save(state, a.target)


if __name__ == "__main__":
    main()
