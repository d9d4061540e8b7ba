"""PyTorch peer of the NMTR-NeuMF workload of `apps/bench/src/peers.ts` (one thread).

The model is @rec's NMTR with unit 'neumf' (packages/models/src/nmtr/nmtr.ts): user and
item embeddings P, Q ~ N(0, 0.01²) shared by every behaviour; per behaviour r a NeuMF unit
f^r as in torch_neumf.py (an MLP tower over [p; q] with the bench's sizes, ReLU after every
layer, and h without bias over [p ⊙ q; z_L]; Glorot-uniform weights, zero biases) and an
item bias b^r starting at 0; the cascade out^r = out^{r−1} + f^r(p_u, q_i) + b^r_i. Rows come
sorted by behaviour, so unit r runs only on the suffix of rows whose behaviour is r or
above, padded with zeros in front, as NMTR.logits does. Loss: mean binary cross-entropy with
logits over the rows (PointwiseObjective with uniform λ_r, whose row weights λ_r·R are 1).
Optimizer: Adagrad, learning rate from the bench.

Data: each behaviour's pairs as `nmtr_<behaviour>_{users,items}.i32`, in funnel order; the
first (view) holds every observed pair. Batches, as PointwiseObjective forms them:
`batches` batches of `pairs` view pairs in a random order per round; for each behaviour r
a pair has, its positive and `negatives` negatives drawn uniformly, redrawn while the user
has the item under r (at most 32 draws, UniformNegatives on behaviour r's mask).

Embeddings (item biases included) run sparse (nn.Embedding(sparse=True), Adagrad's sparse
path) or dense; command "select" times two rounds of each and keeps the faster.
"""
import time

import torch
import torch.nn.functional as F

from peer_protocol import config, serve
from torch_common import VERSIONS, Log, NeuMFUnit, UniformNegatives, best_config, ncf_embeddings

cfg = config()
U, I, E = cfg["numUsers"], cfg["numItems"], cfg["dim"]
SIZES = cfg["towerSizes"]
R = len(cfg["behaviors"])
torch.manual_seed(cfg["seed"])

logs = [Log(cfg["dir"], U, I, f"nmtr_{name}") for name in cfg["behaviors"]]
view = logs[0]
# has[r, k]: view pair k was also observed under behaviour r.
has = torch.stack([log.seen[view.users * I + view.items] for log in logs])
# One sampler per behaviour, each on its own seeded stream; the first also shuffles the pairs.
samplers = [UniformNegatives(log, cfg["seed"] + r) for r, log in enumerate(logs)]


class NMTRNeuMF(torch.nn.Module):
    def __init__(self, sparse):
        super().__init__()
        self.name = "sparse" if sparse else "dense"
        self.users, self.items = ncf_embeddings(U, I, E, sparse)
        self.units = torch.nn.ModuleList(NeuMFUnit(E, SIZES) for _ in range(R))
        self.biases = torch.nn.ModuleList(torch.nn.Embedding(I, 1, sparse=sparse) for _ in range(R))
        for bias in self.biases:
            torch.nn.init.zeros_(bias.weight)
        self.optimizer = torch.optim.Adagrad(self.parameters(), lr=cfg["lr"])

    def forward(self, u, i, starts):
        """out^r of each row, r its behaviour; `starts[r]` is where behaviour r's rows begin."""
        p, q = self.users(u), self.items(i)
        n = u.numel()
        out = None
        for r in range(R):
            lo = starts[r]
            if lo >= n:
                break
            c = self.units[r](p[lo:], q[lo:]) + self.biases[r](i[lo:]).squeeze(1)
            padded = F.pad(c, (lo, 0)) if lo else c
            out = padded if out is None else out + padded
        return out

    def step(self, u, i, y, starts):
        loss = F.binary_cross_entropy_with_logits(self(u, i, starts), y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.detach()


candidates = [NMTRNeuMF(sparse=True), NMTRNeuMF(sparse=False)]


def sampled_batches():
    """The round's batches: rows sorted by behaviour, each behaviour's positives then its negatives."""
    P, N = cfg["pairs"], cfg["negatives"]
    order = torch.randperm(view.users.numel(), generator=samplers[0].generator)
    for b in range(cfg["batches"]):
        ids = order[b * P : (b + 1) * P]
        users, items, labels, starts = [], [], [], [0]
        for r in range(R):
            taken = ids[has[r, ids]]
            u, i = view.users[taken], view.items[taken]
            un = u.repeat(N)
            users += [u, un]
            items += [i, samplers[r].draw(un)]
            labels += [torch.ones(u.numel()), torch.zeros(un.numel())]
            starts.append(starts[-1] + u.numel() + un.numel())
        yield torch.cat(users), torch.cat(items), torch.cat(labels), starts


def run(model):
    """One timed round: (seconds, rows, summed loss × rows)."""
    total = torch.zeros(())
    count = 0
    t0 = time.perf_counter()
    for u, i, y, starts in sampled_batches():
        total += model.step(u, i, y, starts) * u.numel()
        count += u.numel()
    return time.perf_counter() - t0, count, total.item()


serve(best_config(candidates, run), VERSIONS)
