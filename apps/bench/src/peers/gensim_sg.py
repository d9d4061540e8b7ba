"""gensim peer of the skip-gram workloads (`apps/bench/src/peers.ts`, `src/skipgram.ts`).

Word2Vec skip-gram with negative sampling on one worker, no subsampling and no window
shrinking, so it trains exactly the (centre, context) pairs @rec's epoch builds. The
corpus is a text file of the bench's sentences, one per line. Each "round" is one epoch
(`train(..., epochs=1)`); the vocabulary is built once, before the first round.
"""
import os
import time

import numpy as np
from gensim import __version__ as gensim_version
from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence
from gensim.models.word2vec_inner import FAST_VERSION

from peer_protocol import config, serve

if FAST_VERSION < 0:
    raise SystemExit("gensim has no compiled word2vec_inner (FAST_VERSION < 0): its numbers would not be representative")

cfg = config()
sentences = list(LineSentence(cfg["corpus"]))
model = Word2Vec(vector_size=cfg["dim"], window=cfg["window"], negative=cfg["negatives"], sg=1, hs=0, sample=0, min_count=1,
                 workers=int(os.environ.get("REC_PEER_THREADS", "1")), shrink_windows=False, seed=1)
model.build_vocab(sentences)


def timed_round():
    t0 = time.perf_counter()
    model.train(sentences, total_examples=len(sentences), epochs=1)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "finite": bool(np.isfinite(model.wv.vectors).all() and np.isfinite(model.syn1neg).all())}


serve({"round": timed_round}, {"gensim": gensim_version})
