"""A LLaMA forward pass in PyTorch (Debian's python3-torch), written from the formulas of Hugging
Face's modeling_llama and modeling_rope_utils: RMSNorm in float32, rotate-half RoPE with
rope_theta and rope_scaling (linear, dynamic NTK, llama3), grouped-query attention with
head_dim, optional attention and MLP biases, hidden_act, tied embeddings. The independent
reference for the agent's LlamaForCausalLM: it reads the folder our writer saved (config.json
and model.safetensors) and prints the logits of the given token ids as JSON."""
import argparse
import json
import math
import struct

import numpy as np
import torch

ACT = {"silu": torch.nn.functional.silu, "gelu": lambda x: torch.nn.functional.gelu(x), "relu": torch.relu,
       "gelu_pytorch_tanh": lambda x: torch.nn.functional.gelu(x, approximate="tanh")}


def read_safetensors(path):
    dtypes = {"F32": np.float32, "F16": np.float16}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name != "__metadata__":
            begin, end = info["data_offsets"]
            out[name] = torch.from_numpy(np.frombuffer(data[begin:end], dtype=dtypes[info["dtype"]]).reshape(info["shape"]).copy()).float()
    return out


def inv_freq(c, seq_len):
    head_dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
    base = c.get("rope_theta", 10000.0)
    scaling = c.get("rope_scaling") or {}
    kind = scaling.get("rope_type", scaling.get("type", "default"))
    if kind == "dynamic":
        max_pos = c["max_position_embeddings"]
        seq = max(seq_len, max_pos)
        base = base * ((scaling["factor"] * seq / max_pos) - (scaling["factor"] - 1)) ** (head_dim / (head_dim - 2))
    freq = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    if kind == "linear":
        freq = freq / scaling["factor"]
    if kind == "llama3":
        factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / freq
        llama = torch.where(wavelen > low_wavelen, freq / factor, freq)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * llama / factor + smooth * llama
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        freq = torch.where(medium, smoothed, llama)
    return freq


def rms_norm(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def linear(x, w, name):
    y = x @ w[name + ".weight"].T
    return y + w[name + ".bias"] if name + ".bias" in w else y


def forward(c, w, ids):
    b, s = ids.shape
    heads, kv = c["num_attention_heads"], c.get("num_key_value_heads") or c["num_attention_heads"]
    hd = c.get("head_dim") or c["hidden_size"] // heads
    eps, act = c.get("rms_norm_eps", 1e-6), ACT[c.get("hidden_act", "silu")]
    freqs = torch.arange(s).float()[:, None] * inv_freq(c, s)[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    causal = torch.full((s, s), float("-inf")).triu(1)
    x = w["model.embed_tokens.weight"][ids]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = linear(h, w, p + "self_attn.q_proj").view(b, s, heads, hd).transpose(1, 2)
        k = linear(h, w, p + "self_attn.k_proj").view(b, s, kv, hd).transpose(1, 2)
        v = linear(h, w, p + "self_attn.v_proj").view(b, s, kv, hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        rep = heads // kv
        k = k[:, :, None].expand(b, kv, rep, s, hd).reshape(b, heads, s, hd)
        v = v[:, :, None].expand(b, kv, rep, s, hd).reshape(b, heads, s, hd)
        attn = torch.softmax(q @ k.transpose(2, 3) * hd ** -0.5 + causal, dim=-1) @ v
        x = x + linear(attn.transpose(1, 2).reshape(b, s, heads * hd), w, p + "self_attn.o_proj")
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        x = x + linear(act(linear(h, w, p + "mlp.gate_proj")) * linear(h, w, p + "mlp.up_proj"), w, p + "mlp.down_proj")
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x @ head.T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--ids", required=True, help="JSON list of lists of token ids")
    a = ap.parse_args()
    with open(f"{a.folder}/config.json") as f:
        config = json.load(f)
    weights = read_safetensors(f"{a.folder}/model.safetensors")
    with torch.no_grad():
        logits = forward(config, weights, torch.tensor(json.loads(a.ids)))
    print(json.dumps(logits.tolist()))


if __name__ == "__main__":
    main()
