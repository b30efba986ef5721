"""PyTorch twin of GrpcTuner's BERT (same layers, same order of operations) for a CPU training
throughput comparison. Run by `GrpcTuner.Benchmarks bert-throughput`; prints one JSON line."""
import argparse, json, math, time
import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, h, heads, inter, p):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_dropout = nn.Dropout(p)
        self.attn_out, self.attn_norm, self.attn_out_dropout = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12), nn.Dropout(p)
        self.inter, self.out, self.out_norm, self.out_dropout = nn.Linear(h, inter), nn.Linear(inter, h), nn.LayerNorm(h, eps=1e-12), nn.Dropout(p)

    def forward(self, x, mask):
        b, s, h = x.shape
        d = h // self.heads
        split = lambda t: t.view(b, s, self.heads, d).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q.matmul(k.transpose(-1, -2)).div(math.sqrt(d)).add(mask)
        ctx = self.attn_dropout(scores.softmax(-1)).matmul(v).transpose(1, 2).contiguous().view(b, s, h)
        a = self.attn_norm(self.attn_out_dropout(self.attn_out(ctx)).add(x))
        return self.out_norm(self.out_dropout(self.out(nn.functional.gelu(self.inter(a)))).add(a))


class Bert(nn.Module):
    def __init__(self, vocab, h, layers, heads, inter, positions, labels, p):
        super().__init__()
        self.words, self.positions, self.types = nn.Embedding(vocab, h), nn.Embedding(positions, h), nn.Embedding(2, h)
        self.norm, self.dropout = nn.LayerNorm(h, eps=1e-12), nn.Dropout(p)
        self.layers = nn.ModuleList([Layer(h, heads, inter, p) for _ in range(layers)])
        self.pooler, self.head_dropout, self.classifier = nn.Linear(h, h), nn.Dropout(p), nn.Linear(h, labels)

    def forward(self, ids, attention):
        mask = attention.float().neg().add(1).mul(-1e9).unsqueeze(1).unsqueeze(2)
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.dropout(self.norm(self.words(ids) + self.positions(pos) + self.types(torch.zeros_like(ids))))
        for layer in self.layers:
            x = layer(x, mask)
        return self.classifier(self.head_dropout(self.pooler(x[:, 0]).tanh()))


def main():
    ap = argparse.ArgumentParser()
    for name, default in [("hidden", 256), ("layers", 4), ("heads", 4), ("inter", 1024), ("vocab", 30522), ("seq", 128), ("batch", 16), ("steps", 20), ("threads", 2)]:
        ap.add_argument(f"--{name}", type=int, default=default)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Bert(a.vocab, a.hidden, a.layers, a.heads, a.inter, 512, 2, 0.1)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.0)
    ids = torch.randint(0, a.vocab, (a.batch, a.seq))
    attention = torch.ones_like(ids)
    labels = torch.randint(0, 2, (a.batch,))
    model.train()

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(ids, attention), labels).backward()
        opt.step()

    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    elapsed = time.perf_counter() - t0
    print(json.dumps({"peer": f"pytorch-{torch.__version__}", "threads": torch.get_num_threads(), "samples_per_s": round(a.steps * a.batch / elapsed, 1)}))


if __name__ == "__main__":
    main()
