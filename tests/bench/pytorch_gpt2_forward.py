#!/usr/bin/env python3
"""PyTorch eager GPT-2 forward: the anchor bench_pytorch_anchor compares
AttnScope's plain forward with (issue 25: "plain forward <= PyTorch eager's
time at every L from 512 to 8192").

Written out in plain torch ops the way Hugging Face's eager GPT-2 attention
computes it (scores q k^T / sqrt(d), the future masked with torch.where,
softmax, then the values), reading the same random checkpoint from its
config.json and model.safetensors (memory-mapped, as AttnScope maps it).
It does the work AttnScope's plain forward does: the logits of the last
position only (the next token), and the final layer's attention and MLP for
the last query alone (its keys and values for every position) - more than
Hugging Face's eager forward can skip, so the anchor errs in PyTorch's favour.

Usage: pytorch_gpt2_forward.py CHECKPOINT_DIR THREADS L [L ...]
Prints one line per L: "L seconds peak_rss_mb". Needs python3-torch.
"""
import json
import math
import mmap
import resource
import struct
import sys
import time

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)  # writable pages for torch, nothing copied up front
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        if entry["dtype"] == "BF16":
            bits = np.frombuffer(data, dtype=np.uint16, count=(end - begin) // 2, offset=base + begin)
            array = (bits.astype(np.uint32) << 16).view(np.float32)
        elif entry["dtype"] == "F32":
            array = np.frombuffer(data, dtype=np.float32, count=(end - begin) // 4, offset=base + begin)
        else:
            array = np.frombuffer(data, dtype=DTYPES[entry["dtype"]], count=(end - begin) // 2,
                                  offset=base + begin).astype(np.float32)
        tensors[name.removeprefix("transformer.")] = torch.from_numpy(array).reshape(entry["shape"])
    return tensors


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def forward(w, config, ids):
    L = ids.shape[0]
    heads, width = config["n_head"], config["n_embd"]
    eps = config.get("layer_norm_epsilon", 1e-5)
    d = width // heads
    h = w["wte.weight"][ids] + w["wpe.weight"][:L]
    causal = torch.tril(torch.ones(L, L, dtype=torch.bool))
    mask_value = torch.tensor(torch.finfo(torch.float32).min)
    for i in range(config["n_layer"]):
        p = f"h.{i}."
        last_layer = i == config["n_layer"] - 1
        x = torch.nn.functional.layer_norm(h, (width,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = torch.addmm(w[p + "attn.c_attn.bias"], x, w[p + "attn.c_attn.weight"])
        q, k, v = (t.reshape(L, heads, d).transpose(0, 1) for t in qkv.split(width, dim=1))
        if last_layer:  # the next token needs the last query alone from here on
            q, h, rows = q[:, -1:], h[-1:], causal[-1:]
        else:
            rows = causal
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
        scores = torch.where(rows, scores, mask_value)
        probs = torch.softmax(scores, dim=-1)
        a = torch.matmul(probs, v).transpose(0, 1).reshape(q.shape[1], width)
        h = h + torch.addmm(w[p + "attn.c_proj.bias"], a, w[p + "attn.c_proj.weight"])
        x = torch.nn.functional.layer_norm(h, (width,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        m = gelu_new(torch.addmm(w[p + "mlp.c_fc.bias"], x, w[p + "mlp.c_fc.weight"]))
        h = h + torch.addmm(w[p + "mlp.c_proj.bias"], m, w[p + "mlp.c_proj.weight"])
    last = torch.nn.functional.layer_norm(h, (width,), w["ln_f.weight"], w["ln_f.bias"], eps)
    return last @ w["wte.weight"].T


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    directory, threads, lengths = sys.argv[1], int(sys.argv[2]), [int(a) for a in sys.argv[3:]]
    torch.set_num_threads(threads)
    config = json.load(open(f"{directory}/config.json"))
    w = read_safetensors(f"{directory}/model.safetensors")
    with torch.no_grad():
        forward(w, config, torch.arange(16) % config["vocab_size"])  # libraries loaded, kernels warm
        for L in lengths:
            ids = (torch.arange(L) * 31) % config["vocab_size"]
            start = time.perf_counter()
            logits = forward(w, config, ids)
            seconds = time.perf_counter() - start
            assert torch.isfinite(logits).all()
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{L} {seconds:.4f} {peak_mb:.0f}", flush=True)


if __name__ == "__main__":
    main()
