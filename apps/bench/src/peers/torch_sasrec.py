"""PyTorch peer of `apps/bench/src/sasrec.ts` (one thread): SASRec training on the bench's sequences.

The model is @rec's SASRec (packages/models/src/sasrec/sasrec.ts) op for op, at the sizes
the bench sends (the registered `sasrec`'s item-level defaults):

  x     = Dropout((M[s_t] + P_t) · valid_t)        M [V + 1, d] (row V the pad's), P [T, d], Glorot-uniform
  block = pre-LN: h = x + Dropout(MHA(LN(x)));  y = h + Dropout(W2 · Dropout(ReLU(W1 · LN(h) + b1)) + b2)
          MHA: Q, K, V projections of LN(x), softmax(Q Kᵀ / √d_k + mask) with dropout on the
          weights, the output projection W_O; mask = causal + key padding, −1e9 (not −∞: a
          padded query whose keys are all masked gets a uniform row, not NaN)
  F     = LN(y of the last block)
  loss  = (1/N) Σ_{real positions t} [−log σ(⟨F_t, M_{o_t}⟩) − log(1 − σ(⟨F_t, M_j⟩))]
          one negative j per real position, uniform over the ids absent from the whole
          sequence (redrawn ≤ 32 times, as @rec's `neg_sample_exclude`)

Adam (PyTorch's, dense: every row of M moves each step, where @rec's Adam runs lazy
`sparse_adam` on M's row-sparse gradient; either costs about a millisecond here) at the
bench's learning rate; Linear weights Glorot-uniform, zero biases; LayerNorm ε = 1e-5. Two configurations, "select" keeping the faster:
  separate  four nn.Linear projections and the attention written out, as @rec's
            MultiHeadAttention (matmul, mask add, softmax, dropout, matmul);
  nn_mha    torch.nn.MultiheadAttention(batch_first=True) with the mask as a float
            attn_mask [B·h, T, T] (one packed Q/K/V projection; what SASRec.pytorch uses).

Data: `seq_indptr.i32` and `seq_items.i32` in the bench's folder, each user's training items
in time order (`eventSequences`). Every sequence with ≥ 2 ids is one window per epoch, its
last T + 1 ids left-padded with V: the first T the inputs, each followed by its target.
The windows are laid out once at start-up; each batch's gather, negatives, forward,
backward and step run inside the timed loop, in a seeded random order per epoch.

Commands: "select" {batches} (two rounds of each configuration, keeps the faster and starts
it afresh from the seed), "round" {batches} (times that many batches of the kept model,
continuing its training; the reply holds each batch's loss).
"""
import math
import time

import torch
import torch.nn.functional as F

from peer_protocol import config, read_i32, serve
from torch_common import VERSIONS

cfg = config()
V, T, D = cfg["numItems"], cfg["maxLength"], cfg["dim"]
HEADS, P, B = cfg["heads"], cfg["dropout"], cfg["batch"]
BLOCKS, LR, SEED = cfg["blocks"], cfg["lr"], cfg["seed"]

indptr = torch.from_numpy(read_i32(cfg["dir"], "seq_indptr.i32")).long()
items = torch.from_numpy(read_i32(cfg["dir"], "seq_items.i32")).long()
lengths = indptr[1:] - indptr[:-1]
users = (lengths >= 2).nonzero().squeeze(1)
S = users.numel()
# windows[s]: the last T + 1 ids of sequence s, right-aligned, V before them; full[s]: all its ids (for the negatives).
windows = torch.full((S, T + 1), V, dtype=torch.long)
full = torch.full((S, int(lengths.max())), V, dtype=torch.long)
for s, u in enumerate(users.tolist()):
    ids = items[indptr[u] : indptr[u + 1]]
    kept = ids[-(T + 1) :]
    windows[s, T + 1 - kept.numel() :] = kept
    full[s, : ids.numel()] = ids
CAUSAL = torch.triu(torch.full((T, T), -1e9), diagonal=1)


def linear(d_in, d_out):
    layer = torch.nn.Linear(d_in, d_out)
    torch.nn.init.xavier_uniform_(layer.weight)
    torch.nn.init.zeros_(layer.bias)
    return layer


class Block(torch.nn.Module):
    def __init__(self, packed):
        super().__init__()
        self.packed = packed
        self.attention_norm = torch.nn.LayerNorm(D, eps=1e-5)
        if packed:
            self.mha = torch.nn.MultiheadAttention(D, HEADS, dropout=P, batch_first=True)
        else:
            self.q, self.k, self.v, self.o = (linear(D, D) for _ in range(4))
            self.attention_dropout = torch.nn.Dropout(P)
        self.feed_forward_norm = torch.nn.LayerNorm(D, eps=1e-5)
        self.ff_in, self.ff_out = linear(D, D), linear(D, D)
        self.attention_output_dropout = torch.nn.Dropout(P)
        self.activation_dropout = torch.nn.Dropout(P)
        self.feed_forward_output_dropout = torch.nn.Dropout(P)

    def attend(self, x, mask):
        b = x.shape[0]
        if self.packed:
            return self.mha(x, x, x, attn_mask=mask.expand(b, HEADS, T, T).reshape(b * HEADS, T, T), need_weights=False)[0]
        dk = D // HEADS
        split = lambda t: t.view(b, T, HEADS, dk).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        logits = torch.matmul(q * (1 / math.sqrt(dk)), k.transpose(-1, -2)) + mask
        weights = self.attention_dropout(torch.softmax(logits, -1))
        return self.o(torch.matmul(weights, v).transpose(1, 2).reshape(b, T, D))

    def forward(self, x, mask):
        h = x + self.attention_output_dropout(self.attend(self.attention_norm(x), mask))
        hidden = self.activation_dropout(torch.relu(self.ff_in(self.feed_forward_norm(h))))
        return h + self.feed_forward_output_dropout(self.ff_out(hidden))


class SASRec(torch.nn.Module):
    def __init__(self, packed):
        super().__init__()
        torch.manual_seed(SEED)
        self.name = "nn_mha" if packed else "separate"
        self.embeddings = torch.nn.Parameter(torch.nn.init.xavier_uniform_(torch.empty(V + 1, D)))
        self.positions = torch.nn.Parameter(torch.nn.init.xavier_uniform_(torch.empty(T, D)))
        self.input_dropout = torch.nn.Dropout(P)
        self.blocks = torch.nn.ModuleList(Block(packed) for _ in range(BLOCKS))
        self.final_norm = torch.nn.LayerNorm(D, eps=1e-5)
        self.optimizer = torch.optim.Adam(self.parameters(), lr=LR)
        self.generator = torch.Generator().manual_seed(SEED)
        self.cursor = 0
        self.order = None

    def forward(self, inputs):
        valid = inputs != V
        x = self.input_dropout((self.embeddings[inputs] + self.positions) * valid.unsqueeze(-1))
        mask = CAUSAL + ((~valid).float() * -1e9)[:, None, None, :]  # [B, 1, T, T]
        for block in self.blocks:
            x = block(x, mask)
        return self.final_norm(x), valid

    def next_batch(self):
        """The next batch of window indices; a fresh seeded order every epoch."""
        if self.order is None or self.cursor >= S:
            self.order = torch.randperm(S, generator=self.generator)
            self.cursor = 0
        ids = self.order[self.cursor : self.cursor + B]
        self.cursor += B
        return ids

    def negatives(self, ids, sequence_of_row):
        """One id per scored position, absent from that position's whole sequence (≤ 32 draws)."""
        seen = torch.zeros(ids.numel(), V + 1, dtype=torch.bool)
        seen.scatter_(1, full[ids], True)
        drawn = torch.randint(0, V, sequence_of_row.shape, generator=self.generator)
        pending = seen[sequence_of_row, drawn].nonzero().squeeze(1)
        for _ in range(31):
            if pending.numel() == 0:
                break
            redraw = torch.randint(0, V, pending.shape, generator=self.generator)
            drawn[pending] = redraw
            pending = pending[seen[sequence_of_row[pending], redraw]]
        return drawn

    def step(self):
        ids = self.next_batch()
        window = windows[ids]
        inputs, targets = window[:, :T], window[:, 1:]
        hidden, valid = self(inputs)
        rows = valid.reshape(-1).nonzero().squeeze(1)
        h = hidden.reshape(-1, D)[rows]
        negatives = self.negatives(ids, torch.div(rows, T, rounding_mode="floor"))
        n = rows.numel()
        logits = torch.cat([(h * self.embeddings[targets.reshape(-1)[rows]]).sum(-1), (h * self.embeddings[negatives]).sum(-1)])
        labels = torch.cat([torch.ones(n), torch.zeros(n)])
        loss = F.binary_cross_entropy_with_logits(logits, labels, reduction="sum") / n
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return ids.numel(), n, loss.item()


def run(model, batches):
    """Times `batches` training steps: seconds (wall and CPU), sequences, scored positions, each batch's loss."""
    model.train()
    sequences = positions = 0
    losses = []
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(batches):
        s, n, loss = model.step()
        sequences += s
        positions += n
        losses.append(loss)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "cpuSeconds": time.process_time() - cpu0, "sequences": sequences, "positions": positions, "losses": losses}


candidates = [SASRec(packed=False), SASRec(packed=True)]
chosen = [candidates[0]]


def select(batches):
    rates = {c.name: 0.0 for c in candidates}
    for _ in range(2):
        for c in candidates:
            r = run(c, batches)
            rates[c.name] = max(rates[c.name], r["sequences"] / r["seconds"])
    best = max(candidates, key=lambda c: rates[c.name])
    # The kept model starts afresh, so its loss history is one run from its initial weights.
    chosen[0] = SASRec(packed=best.name == "nn_mha")
    return {"config": best.name, "rates": rates}


serve({"select": select, "round": lambda batches: run(chosen[0], batches)}, VERSIONS)
