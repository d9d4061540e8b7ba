"""PyTorch peer of the BPR workloads of `apps/bench/src/peers.ts` (one thread).

Modes (config "mode"):
  kernel  the pre-generated (u, i, j) triples of `triples_{users,pos,neg}.i32` in batches:
          SGD on BPR-MF, no sampling (against @rec's `bpr_step` kernel alone);
  train   epochs over the log: each pair once per epoch in a random order, `negatives`
          uniform negatives per pair drawn in the loop, SGD (against `rec train bpr`);
  adam    `batches` batches of `batch` pairs, one negative each drawn in the loop,
          nn.Embedding(sparse=True) + SparseAdam (against @rec's autograd + lazy Adam).

SGD ("kernel", "train") runs in one of two configurations, and the bench keeps the faster
(command "select": two rounds of each): "index_add" — plain tensors, the rows gathered, the BPR gradient
written out and scattered back with `index_add_`; "sparse_sgd" — nn.Embedding(sparse=True),
autograd and torch.optim.SGD. Both take one minibatch step with the loss summed over the
batch, so each triple moves its rows by lr·gradient as in @rec's `bpr_step`, where the
triples are applied one after another.
"""
import time

import torch
import torch.nn.functional as F

from peer_protocol import config, read_i32, serve
from torch_common import VERSIONS, Log, UniformNegatives, best_config

cfg = config()
U, I, D = cfg["numUsers"], cfg["numItems"], cfg["dim"]
LR, REG = cfg["lr"], cfg["reg"]
torch.manual_seed(cfg["seed"])


def factors():
    """Users and items ~ N(0, 0.01²), as @rec's BPR-MF starts."""
    return torch.randn(U, D) * 0.01, torch.randn(I, D) * 0.01


class IndexAddSGD:
    """Plain tensors; rows gathered, the gradient written out, `index_add_` back."""

    name = "index_add"

    def __init__(self):
        self.P, self.Q = factors()

    def step(self, u, i, j):
        P, Q = self.P, self.Q
        pu, qi, qj = P[u], Q[i], Q[j]
        d = qi - qj
        x = (pu * d).sum(1)
        g = torch.sigmoid(-x).unsqueeze(1)  # σ(−x) = −∂ ln σ(x) / ∂x
        gp = g * pu
        P.index_add_(0, u, g * d - REG * pu, alpha=LR)
        Q.index_add_(0, i, gp - REG * qi, alpha=LR)
        Q.index_add_(0, j, gp + REG * qj, alpha=-LR)
        return F.softplus(-x).sum()


class SparseEmbeddingSGD:
    """nn.Embedding(sparse=True), autograd, torch.optim.SGD."""

    name = "sparse_sgd"

    def __init__(self):
        P, Q = factors()
        self.users = torch.nn.Embedding(U, D, sparse=True, _weight=P)
        self.items = torch.nn.Embedding(I, D, sparse=True, _weight=Q)
        self.optimizer = torch.optim.SGD([self.users.weight, self.items.weight], lr=LR)

    def step(self, u, i, j):
        pu, qi, qj = self.users(u), self.items(i), self.items(j)
        x = (pu * (qi - qj)).sum(1)
        bpr = F.softplus(-x).sum()
        loss = bpr if REG == 0 else bpr + 0.5 * REG * (pu.square().sum() + qi.square().sum() + qj.square().sum())
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return bpr.detach()


class SparseEmbeddingAdam:
    """BPR-MF with nn.Embedding(sparse=True) and SparseAdam (lazy: touched rows only), mean loss."""

    name = "sparse_adam"

    def __init__(self):
        P, Q = factors()
        self.users = torch.nn.Embedding(U, D, sparse=True, _weight=P)
        self.items = torch.nn.Embedding(I, D, sparse=True, _weight=Q)
        self.optimizer = torch.optim.SparseAdam([self.users.weight, self.items.weight], lr=LR)

    def step(self, u, i, j):
        pu = self.users(u)
        x = (pu * (self.items(i) - self.items(j))).sum(1)
        loss = F.softplus(-x).mean()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.detach() * u.numel()


MODE = cfg["mode"]
if MODE == "kernel":
    d = cfg["dir"]
    triples = [torch.from_numpy(read_i32(d, f"triples_{name}.i32")).long() for name in ("users", "pos", "neg")]
    B = cfg["batch"]
    batches = [tuple(t[s : s + B] for t in triples) for s in range(0, triples[0].numel(), B)]
    candidates = [IndexAddSGD(), SparseEmbeddingSGD()]
else:
    log = Log(cfg["dir"], U, I)
    sampler = UniformNegatives(log, cfg["seed"])
    candidates = [IndexAddSGD(), SparseEmbeddingSGD()] if MODE == "train" else [SparseEmbeddingAdam()]


def run(learner):
    """One timed round: (seconds, triples, summed loss)."""
    total = torch.zeros(())
    count = 0
    t0 = time.perf_counter()
    with torch.no_grad() if learner.name == "index_add" else torch.enable_grad():
        if MODE == "kernel":
            for u, i, j in batches:
                total += learner.step(u, i, j)
                count += u.numel()
        else:
            B, N = cfg["batch"], cfg["negatives"]
            order = torch.randperm(log.users.numel(), generator=sampler.generator)
            limit = cfg.get("batches") or -(-order.numel() // B)
            for b in range(limit):
                ids = order[b * B : (b + 1) * B]
                # Layout of @rec's TripleSampler: negative slot t of pair k at t·|ids| + k.
                u, i = log.users[ids].repeat(N), log.items[ids].repeat(N)
                total += learner.step(u, i, sampler.draw(u))
                count += u.numel()
    seconds = time.perf_counter() - t0
    return seconds, count, total.item()


serve(best_config(candidates, run), VERSIONS)
