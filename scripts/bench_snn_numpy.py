"""A plain numpy event-driven loop on an SNN benchmark workload (the step semantics of its README), as the reference
that scripts/bench-snn.ts times in the same run as the chip functional model. Each step adds the weight rows of
the spiking inputs (int8 rows summed in int32), soft-resets the neurons that fired on the previous step's
membrane, and counts the spikes. Prints one JSON line: the time of each full simulation (loading excluded) and the
README's checksums.

usage: python3 scripts/bench_snn_numpy.py <workload folder> <runs>
"""
import hashlib
import json
import sys
import time

import numpy as np


def load(d):
    meta = json.load(open(f"{d}/meta.json"))
    p = meta["params"]
    n = p["layers"]
    weights = [np.fromfile(f"{d}/weights_l{l}.int8", dtype=np.int8).reshape(n[l - 1], n[l]) for l in range(1, len(n))]
    inputs = np.fromfile(f"{d}/inputs.uint8", dtype=np.uint8).reshape(p["tokens"], p["T"], n[0])
    return p, weights, inputs


def simulate(p, weights, inputs):
    """counts[l][k] = spikes of layer l's neurons in token k (l = 0: the inputs)."""
    n, T, K, theta = p["layers"], p["T"], p["tokens"], p["theta"]
    L = len(n) - 1
    counts = [np.zeros((K, m), np.int32) for m in n]
    for k in range(K):
        v = [np.zeros(m, np.int32) for m in n[1:]]
        for t in range(T):
            # s[l] = v[l] >= theta on the membranes the previous step left
            s = [inputs[k, t].view(bool)] + [v[l] >= theta for l in range(L)]
            for l in range(L):
                np.add(v[l], np.add.reduce(weights[l][s[l]], axis=0, dtype=np.int32), out=v[l])
                np.subtract(v[l], theta, out=v[l], where=s[l + 1])
            for l in range(L + 1):
                counts[l][k] += s[l]
    return counts


def sha(xs):
    return hashlib.sha256(",".join(str(int(x)) for x in xs).encode()).hexdigest()


def main():
    d, runs = sys.argv[1], int(sys.argv[2])
    p, weights, inputs = load(d)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        counts = simulate(p, weights, inputs)
        times.append(time.perf_counter() - t0)
    totals = [int(c.sum()) for c in counts]
    print(json.dumps({
        "numpy": np.__version__,
        "times": times,
        "checksums": {
            "total_output_spikes": totals[-1],
            "layer_spikes_total": totals,
            "output_spikes_per_token_sha256": sha(counts[-1].sum(1)),
            "layer_spike_counts_sha256": [sha(c.reshape(-1)) for c in counts[1:]],
        },
    }))


if __name__ == "__main__":
    main()
