"""The line protocol between `apps/bench/src/peers.ts` and a peer script.

A peer script is started as `/usr/bin/python3 <script> '<config json>'`. It loads
its data, then prints one JSON line `{"ready": true, "versions": {...}}`; after
that it reads one JSON command per line on stdin, `{"cmd": "<name>", ...}`, and
answers each with one JSON line (`{"error": "..."}` when the handler raised).
`{"cmd": "quit"}` or the end of stdin ends it. Each script times its rounds itself,
around the timed loop only, with `time.perf_counter`, so process start-up and the pipe
are never counted; the bench interleaves these rounds with its own.

Errors before "ready" (a missing module) go to stderr and exit 1: the bench
prints a skip line with the last line of stderr.
"""
import json
import os
import sys
import traceback

import numpy as np


def config():
    """The JSON object given as the first argument."""
    return json.loads(sys.argv[1])


def read_i32(directory, name):
    """A raw little-endian int32 file written by the bench."""
    return np.fromfile(os.path.join(directory, name), dtype=np.int32)


def read_f32(directory, name):
    """A raw little-endian float32 file written by the bench."""
    return np.fromfile(os.path.join(directory, name), dtype=np.float32)


def serve(handlers, versions):
    """Prints the ready line, then answers commands until "quit" or end of input."""
    print(json.dumps({"ready": True, "versions": versions}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        message = json.loads(line)
        name = message.pop("cmd")
        if name == "quit":
            break
        try:
            if name not in handlers:
                raise KeyError(f"unknown command {name!r}; this peer answers {', '.join(sorted(handlers))}")
            reply = handlers[name](**message)
        except Exception as error:  # reported to the bench, which fails the workload with it
            traceback.print_exc(file=sys.stderr)
            reply = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply), flush=True)
