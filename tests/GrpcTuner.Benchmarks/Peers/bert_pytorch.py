"""PyTorch twin of GrpcTuner's BertForSequenceClassification (Hugging Face's BERT: the same
layers, names and order of operations), for a CPU fine-tuning throughput comparison on the same
weights. Run by `GrpcTuner.Benchmarks minilm-throughput`; prints one JSON line."""
import argparse
import json
import math
import struct
import time

import numpy as np
import torch
from torch import nn


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.dropout = nn.Dropout(c["attention_probs_dropout_prob"])

    def forward(self, x, mask):
        b, s, h = x.shape
        d = h // self.heads
        split = lambda t: t.view(b, s, self.heads, d).transpose(1, 2)
        scores = split(self.query(x)) @ split(self.key(x)).transpose(-1, -2) / math.sqrt(d) + mask
        return (self.dropout(scores.softmax(-1)) @ split(self.value(x))).transpose(1, 2).reshape(b, s, h)


class Output(nn.Module):
    def __init__(self, c, inner):
        super().__init__()
        self.dense = nn.Linear(inner, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self, self.output = SelfAttention(c), Output(c, c["hidden_size"])

    def forward(self, x, mask):
        return self.output(self.self(x, mask), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention, self.intermediate, self.output = Attention(c), Intermediate(c), Output(c, c["intermediate_size"])

    def forward(self, x, mask):
        a = self.attention(x, mask)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], h)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], h)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], h)
        self.LayerNorm = nn.LayerNorm(h, eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, ids, types):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        return self.dropout(self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(pos) + self.token_type_embeddings(types)))


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])


class Bert(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings, self.encoder, self.pooler = Embeddings(c), Encoder(c), Pooler(c)


class Classifier(nn.Module):
    def __init__(self, c, labels):
        super().__init__()
        self.bert = Bert(c)
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.classifier = nn.Linear(c["hidden_size"], labels)

    def forward(self, ids, attention, types):
        mask = (1.0 - attention.float())[:, None, None, :] * torch.finfo(torch.float32).min
        x = self.bert.embeddings(ids, types)
        for layer in self.bert.encoder.layer:
            x = layer(x, mask)
        return self.classifier(self.dropout(self.bert.pooler.dense(x[:, 0]).tanh()))


def read_safetensors(path):
    dtypes = {"F32": np.float32, "I64": np.int64}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    return {k: torch.from_numpy(np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype=dtypes[v["dtype"]]).reshape(v["shape"]).copy())
            for k, v in header.items() if k != "__metadata__"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", help="a Hugging Face BERT folder (config.json, model.safetensors)")
    for name, default in [("seq", 128), ("batch", 32), ("steps", 10), ("threads", 2), ("labels", 2)]:
        ap.add_argument(f"--{name}", type=int, default=default)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(f"{a.folder}/config.json") as f:
        config = json.load(f)
    model = Classifier(config, a.labels)
    weights = {("bert." + k if not k.startswith("bert.") else k): v for k, v in read_safetensors(f"{a.folder}/model.safetensors").items()}
    missing, _ = model.load_state_dict(weights, strict=False)
    assert set(missing) <= {"classifier.weight", "classifier.bias"}, missing
    opt = torch.optim.AdamW(model.parameters(), lr=2e-5)
    ids = torch.randint(1000, 20000, (a.batch, a.seq))
    attention, types = torch.ones_like(ids), torch.zeros_like(ids)
    labels = torch.randint(0, a.labels, (a.batch,))
    model.train()

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(ids, attention, types), labels).backward()
        opt.step()

    for _ in range(2):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    elapsed = time.perf_counter() - t0
    # VmHWM of this process's own memory: ru_maxrss would carry the parent's peak over fork and exec.
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024
    print(json.dumps({"peer": f"pytorch-{torch.__version__}", "threads": torch.get_num_threads(), "samples_per_s": round(a.steps * a.batch / elapsed, 2), "peak_rss_mb": peak}))


if __name__ == "__main__":
    main()
