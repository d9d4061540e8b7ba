"""PyTorch peer of the NeuMF workloads of `apps/bench/src/peers.ts` (one thread).

The model is @rec's NCF with unit 'neumf' (packages/models/src/ncf/unit.ts): user and item
embeddings shared by a GMF half p ⊙ q and an MLP tower over [p; q] (sizes from the bench,
@rec's `towerSizes`: 2E halving per layer, ReLU after every layer), and h without bias over
[p ⊙ q; z_L]; embeddings ~ N(0, 0.01²), Glorot-uniform weights, zero biases. Loss: mean
binary cross-entropy with logits. Optimizer: Adagrad (PyTorch defaults, which @rec's
Adagrad copies), learning rate from the bench.

Modes (config "mode"):
  batches  the pre-generated rows of `rows_{users,items}.i32` and `rows_labels.f32`, in
           batches of `batch` rows (against @rec's NCF step on the same batches);
  sampled  `batches` batches of `pairs` observed pairs in a random order per round, each
           with `negatives` uniform negatives drawn in the loop (against PointwiseObjective).

Embeddings run sparse (nn.Embedding(sparse=True), Adagrad's sparse path) or dense; command
"select" times two rounds of each and keeps the faster.
"""
import time

import torch
import torch.nn.functional as F

from peer_protocol import config, read_f32, read_i32, serve
from torch_common import VERSIONS, Log, NeuMFUnit, UniformNegatives, best_config, ncf_embeddings

cfg = config()
U, I, E = cfg["numUsers"], cfg["numItems"], cfg["dim"]
SIZES = cfg["towerSizes"]
torch.manual_seed(cfg["seed"])


class NeuMF(torch.nn.Module):
    def __init__(self, sparse):
        super().__init__()
        self.name = "sparse" if sparse else "dense"
        self.users, self.items = ncf_embeddings(U, I, E, sparse)
        self.unit = NeuMFUnit(E, SIZES)
        self.optimizer = torch.optim.Adagrad(self.parameters(), lr=cfg["lr"])

    def forward(self, u, i):
        return self.unit(self.users(u), self.items(i))

    def step(self, u, i, y):
        loss = F.binary_cross_entropy_with_logits(self(u, i), y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.detach()


MODE = cfg["mode"]
if MODE == "batches":
    d = cfg["dir"]
    rows = (torch.from_numpy(read_i32(d, "rows_users.i32")).long(), torch.from_numpy(read_i32(d, "rows_items.i32")).long(), torch.from_numpy(read_f32(d, "rows_labels.f32")))
    B = cfg["batch"]
    batches = [tuple(t[s : s + B] for t in rows) for s in range(0, rows[0].numel() - B + 1, B)][: cfg["batches"]]
else:
    log = Log(cfg["dir"], U, I)
    sampler = UniformNegatives(log, cfg["seed"])
candidates = [NeuMF(sparse=True), NeuMF(sparse=False)]


def sampled_batches():
    """The round's batches: `pairs` positives then `negatives` draws per pair, labels 1 then 0."""
    P, N = cfg["pairs"], cfg["negatives"]
    order = torch.randperm(log.users.numel(), generator=sampler.generator)
    labels = torch.cat([torch.ones(P), torch.zeros(P * N)])
    for b in range(cfg["batches"]):
        ids = order[b * P : (b + 1) * P]
        u, i = log.users[ids], log.items[ids]
        un = u.repeat(N)
        yield torch.cat([u, un]), torch.cat([i, sampler.draw(un)]), labels


def run(model):
    """One timed round: (seconds, rows, summed loss × rows)."""
    total = torch.zeros(())
    count = 0
    t0 = time.perf_counter()
    for u, i, y in batches if MODE == "batches" else sampled_batches():
        total += model.step(u, i, y) * u.numel()
        count += u.numel()
    return time.perf_counter() - t0, count, total.item()


serve(best_config(candidates, run), VERSIONS)
