"""What the PyTorch peers share: their thread count, the synthetic log, and the negative sampler.

The bench writes the log as raw int32 files in a temporary folder: `pair_users.i32`,
`pair_items.i32` (each observed (user, item) pair once, sorted by user then item), and
in the same form under other prefixes the logs of other workloads (`nmtr_cart_*.i32`: the
NMTR funnel's carts).
"""
import os

import torch

from peer_protocol import read_i32

# Pinned before any tensor work (the environment already holds OMP_NUM_THREADS, which the
# bench sets with REC_PEER_THREADS: 1 unless it runs with --threads).
THREADS = int(os.environ.get("REC_PEER_THREADS", "1"))
torch.set_num_threads(THREADS)
torch.set_num_interop_threads(1)



def blas_library():
    """The BLAS this PyTorch runs its matmuls on, as loaded (Debian's torch calls whatever
    `libblas.so.3` points to: the reference BLAS of `libblas3` is several times slower than
    OpenBLAS, so a peer's rate means little without it)."""
    torch.ones(8, 8) @ torch.ones(8, 8)  # loads the library
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if line.rstrip().endswith(".so") or ".so." in line}
    except OSError:
        return "unknown"
    found = sorted({os.path.realpath(p) for p in paths if ("blas" in p.lower() or "mkl" in p.lower()) and "lapack" not in p.lower()})
    return ", ".join(found) if found else "none found (PyTorch's own kernels)"


VERSIONS = {"torch": torch.__version__, "blas": blas_library()}


class Log:
    """The observed pairs of `<name>_{users,items}.i32` and a dense user × item "seen" mask over them."""

    def __init__(self, directory, num_users, num_items, name="pair"):
        self.users = torch.from_numpy(read_i32(directory, f"{name}_users.i32")).long()
        self.items = torch.from_numpy(read_i32(directory, f"{name}_items.i32")).long()
        self.num_users = num_users
        self.num_items = num_items
        # A dense bool mask (22 MB at ML-1M's size) is the fastest membership test in
        # PyTorch: one gather per draw (ours binary-searches the user's sorted CSR row).
        seen = torch.zeros(num_users * num_items, dtype=torch.bool)
        seen[self.users * num_items + self.items] = True
        self.seen = seen


class UniformNegatives:
    """j ~ Uniform(items), redrawn while the user has j, at most `max_tries` draws, then
    kept: the rule of @rec's `neg_sample_exclude` (TripleSampler, PairwiseObjective) and
    of `neg_sample_cascade` with one behaviour (PointwiseObjective)."""

    def __init__(self, log, seed, max_tries=32):
        self.log = log
        self.max_tries = max_tries
        self.generator = torch.Generator().manual_seed(seed)

    def draw(self, users):
        n_items = self.log.num_items
        items = torch.randint(0, n_items, users.shape, generator=self.generator)
        pending = self.log.seen[users * n_items + items].nonzero().squeeze(1)
        for _ in range(self.max_tries - 1):
            if pending.numel() == 0:
                break
            redraw = torch.randint(0, n_items, pending.shape, generator=self.generator)
            items[pending] = redraw
            pending = pending[self.log.seen[users[pending] * n_items + redraw]]
        return items


def best_config(candidates, run):
    """The "select" and "round" handlers of a peer with several configurations, each with a
    `name`: "select" runs two rounds of each, alternating, and keeps the one with the faster
    best round (the first rounds also warm up allocators and caches); "round" times the kept
    one. `run(candidate)` returns (seconds, count, summed loss)."""
    chosen = [candidates[0]]

    def select():
        rates = {candidate.name: 0.0 for candidate in candidates}
        for _ in range(2):
            for candidate in candidates:
                seconds, count, _ = run(candidate)
                rates[candidate.name] = max(rates[candidate.name], count / seconds)
        chosen[0] = max(candidates, key=lambda candidate: rates[candidate.name])
        return {"config": chosen[0].name, "rates": rates}

    def timed_round():
        seconds, count, total = run(chosen[0])
        return {"seconds": seconds, "count": count, "loss": total / count, "config": chosen[0].name}

    return {"select": select, "round": timed_round}


def ncf_embeddings(num_users, num_items, dim, sparse):
    """NCF's user and item tables as @rec initialises them, N(0, 0.01²); `sparse` selects
    nn.Embedding's sparse gradients (Adagrad's sparse path)."""
    tables = (torch.nn.Embedding(num_users, dim, sparse=sparse), torch.nn.Embedding(num_items, dim, sparse=sparse))
    for table in tables:
        torch.nn.init.normal_(table.weight, std=0.01)
    return tables


class NeuMFUnit(torch.nn.Module):
    """@rec's NeuMF interaction function (packages/models/src/ncf/unit.ts) on given embeddings:
    an MLP tower over [p; q] with layer widths `sizes` (ReLU after every layer) and h without
    bias over [p ⊙ q; z_L], f(p, q) = hᵀ[p ⊙ q; z_L] → logits `[n]`; Glorot-uniform weights,
    zero biases."""

    def __init__(self, dim, sizes):
        super().__init__()
        layers = []
        for width_in, width_out in zip(sizes, sizes[1:]):
            linear = torch.nn.Linear(width_in, width_out)
            torch.nn.init.xavier_uniform_(linear.weight)
            torch.nn.init.zeros_(linear.bias)
            layers += [linear, torch.nn.ReLU()]
        self.tower = torch.nn.Sequential(*layers)
        self.h = torch.nn.Linear(dim + sizes[-1], 1, bias=False)
        torch.nn.init.xavier_uniform_(self.h.weight)

    def forward(self, p, q):
        z = self.tower(torch.cat([p, q], 1))
        return self.h(torch.cat([p * q, z], 1)).squeeze(1)
