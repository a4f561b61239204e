"""The peer for `vigil bench sketches`: the same operations on Apache DataSketches 5.2.0 through its
Python wheel (the C++ library compiled into `_datasketches`), measured in the same run.

Prints `name ns` lines whose names match Vigil's figures. Per-item updates go through one Python
call each, so they include the interpreter's call overhead (~100-200 ns): they bound the wheel as
users call it, not the bare C++ loop. KLL also has a vectorized numpy update (`kll_update_float`
uses it), which is close to the library's native cost. Pinned: datasketches==5.2.0, numpy.

Usage: python3 Benchmarks/datasketches_peer.py [--updates N]
"""
import argparse
import random
import sys
import time

import numpy as np
from datasketches import count_min_sketch, frequent_strings_sketch, hll_sketch, hll_union, kll_floats_sketch


def best(repeats, fn):
    result = float("inf")
    for _ in range(repeats):
        start = time.perf_counter_ns()
        fn()
        result = min(result, time.perf_counter_ns() - start)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=1_000_000)
    n = parser.parse_args().updates
    rng = random.Random(42)
    keys = [rng.getrandbits(63) for _ in range(n)]
    strings = ["".join(chr(97 + rng.randrange(26)) for _ in range(11)) for _ in range(n)]
    floats = np.array([k >> 40 for k in keys], dtype=np.float32)
    fi_items = [f"item-{k % 100_000}" for k in keys]
    out = {}

    def hll_u64():
        s = hll_sketch(12)
        for k in keys:
            s.update(k)
        out["hll"] = s

    def hll_str():
        s = hll_sketch(12)
        for k in strings:
            s.update(k)

    def cms_u64():
        s = count_min_sketch(3, 272)
        for k in keys:
            s.update(k)
        out["cms"] = s

    def fi_str():
        s = frequent_strings_sketch(10)
        for k in fi_items:
            s.update(k)
        out["fi"] = s

    def kll_batch():
        s = kll_floats_sketch(200)
        s.update(floats)
        out["kll"] = s

    print(f"hll_update_u64 {best(3, hll_u64) / n:.2f}")
    print(f"hll_update_str11 {best(3, hll_str) / n:.2f}")
    print(f"cms_update_u64 {best(3, cms_u64) / n:.2f}")
    print(f"fi_update_str {best(3, fi_str) / n:.2f}")
    print(f"kll_update_float {best(3, kll_batch) / n:.2f}")

    hll = out["hll"]
    other = hll_sketch(12)
    for k in keys[: min(n, 1_000_000)]:
        other.update(k + 1)
    image = hll.serialize_compact()
    print(f"hll_serialize {best(100, hll.serialize_compact):.2f}")
    print(f"hll_deserialize {best(100, lambda: hll_sketch.deserialize(image)):.2f}")

    def merge():
        u = hll_union(12)
        u.update(hll)
        u.update(other)

    print(f"hll_merge_lgk12 {best(100, merge):.2f}")
    for name, sketch, cls in (("cms", out["cms"], count_min_sketch), ("fi", out["fi"], frequent_strings_sketch),
                              ("kll", out["kll"], kll_floats_sketch)):
        blob = sketch.serialize()
        print(f"{name}_serialize {best(100, sketch.serialize):.2f}")
        print(f"{name}_deserialize {best(100, lambda: cls.deserialize(blob)):.2f}")
    print(f"cms_merge {best(100, lambda: count_min_sketch.deserialize(out['cms'].serialize()).merge(out['cms'])):.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
