"""Writes the Count-Min fixtures in Tests/StatsTests/Fixtures/cms/ with the real DataSketches.

Pinned: datasketches==5.2.0 (the Linux x86_64 wheel, whose row seeds come from libstdc++'s
minstd_rand0 + uniform_int_distribution) and mmh3==5.1.0.
Run:    /work/venv-ds/bin/python Tests/interop/generate_cms_fixtures.py
Output is deterministic: every stream comes from random.Random seeded per case, and a rerun
rewrites identical files.

cases.json lists one entry per (seed, shape) stream, plus signed-weight and merged cases:
  updates   [{"s": str} | {"i": "int64 as decimal"}, "w": weight]  fed in order
  image     file name of the serialized sketch (.bin), or
  sparse    {"length", "head" (hex of bytes 0..23), "cells": [[index, "f64 bits hex"]],
             "h1": MurmurHash3_x64_128(image, seed 0).h1 as decimal} for images over 64 KiB
            (7 x 65536 sketches would otherwise be 3.7 MB each); only non-zero cells are listed
  queries   Python's get_estimate / get_lower_bound / get_upper_bound for items in and out
  parts     (merged cases) the two update streams; the image is part 0 merged with part 1
  empty     hex of a fresh sketch's image with the same shape and seed
The top level also has suggest_num_buckets / suggest_num_hashes answers.
"""
import json
import pathlib
import random

import mmh3
from datasketches import count_min_sketch

OUT = pathlib.Path(__file__).resolve().parents[1] / "StatsTests" / "Fixtures" / "cms"
SEEDS = [9001, 1234, 0, 2**40 + 7]
SHAPES = [(4, 1000), (3, 5), (7, 65536)]
SPARSE_OVER = 64 * 1024

UNICODE = ["héllo", "e\u0301", "\u00e9", "日本語", "🙂", "Ωmega", "naïve café", "ß", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "a\u0000b"]
INTS = [0, 1, -1, 2**63 - 1, -(2**63), 42, -9001, 123456789012]
WEIGHTS = [1.0, 1.0, 1.0, 2.0, 0.5, 3.25, 10.0, 0.1, 7.0]


def item_json(item):
    return {"i": str(item)} if isinstance(item, int) else {"s": item}


def make_stream(rng, count, signed=False):
    """A skewed stream over strings, unicode strings and int64s, with weights."""
    vocab = [f"item-{n}" for n in range(60)] + UNICODE + INTS + list(range(1000, 1040))
    stream = []
    for _ in range(count):
        item = vocab[int(rng.random() ** 2.5 * len(vocab))]
        weight = rng.choice(WEIGHTS)
        if signed and rng.random() < 0.3:
            weight = -weight
        stream.append((item, weight))
    stream.append(("", 5.0))  # DataSketches ignores empty strings
    return stream


def build(num_hashes, num_buckets, seed, stream):
    sketch = count_min_sketch(num_hashes, num_buckets, seed)
    for item, weight in stream:
        sketch.update(item, weight)
    return sketch


def queries(sketch, stream):
    items = []
    for item, _ in stream:
        if item not in items:
            items.append(item)
    items += ["absent-1", "absent-2", "🙃", 77777, -123, ""]
    return [
        dict(item_json(item), estimate=sketch.get_estimate(item), lower=sketch.get_lower_bound(item),
             upper=sketch.get_upper_bound(item))
        for item in items
    ]


def store_image(name, image):
    if len(image) <= SPARSE_OVER:
        (OUT / f"{name}.bin").write_bytes(image)
        return {"image": f"{name}.bin"}
    cells = []
    for offset in range(24, len(image), 8):
        chunk = image[offset:offset + 8]
        if chunk != bytes(8):
            cells.append([(offset - 24) // 8, chunk[::-1].hex()])
    h1, _ = mmh3.hash64(image, 0, signed=False)
    return {"sparse": {"length": len(image), "head": image[:24].hex(), "cells": cells, "h1": str(h1)}}


def describe(name, num_hashes, num_buckets, seed, sketch, stream_for_queries):
    image = sketch.serialize()
    entry = {
        "name": name,
        "num_hashes": num_hashes,
        "num_buckets": num_buckets,
        "seed": str(seed),
        "total_weight": sketch.total_weight,
        "relative_error": sketch.get_relative_error(),
        "empty": count_min_sketch(num_hashes, num_buckets, seed).serialize().hex(),
        "queries": queries(sketch, stream_for_queries),
    }
    entry.update(store_image(name, image))
    return entry


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.bin"):
        old.unlink()
    cases = []
    for seed_index, seed in enumerate(SEEDS):
        for shape_index, (num_hashes, num_buckets) in enumerate(SHAPES):
            rng = random.Random(1000 * seed_index + shape_index)
            stream = make_stream(rng, 300)
            name = f"seed{seed}_{num_hashes}x{num_buckets}"
            sketch = build(num_hashes, num_buckets, seed, stream)
            entry = describe(name, num_hashes, num_buckets, seed, sketch, stream)
            entry["updates"] = [dict(item_json(i), w=w) for i, w in stream]
            cases.append(entry)

    rng = random.Random(77)
    stream = make_stream(rng, 400, signed=True)
    sketch = build(4, 1000, 9001, stream)
    entry = describe("signed_seed9001_4x1000", 4, 1000, 9001, sketch, stream)
    entry["updates"] = [dict(item_json(i), w=w) for i, w in stream]
    cases.append(entry)

    for seed in (9001, 2**40 + 7):
        for num_hashes, num_buckets in [(4, 1000), (3, 5)]:
            rng = random.Random(seed ^ num_buckets)
            part_a, part_b = make_stream(rng, 200), make_stream(rng, 150)
            merged = build(num_hashes, num_buckets, seed, part_a)
            merged.merge(build(num_hashes, num_buckets, seed, part_b))
            name = f"merged_seed{seed}_{num_hashes}x{num_buckets}"
            entry = describe(name, num_hashes, num_buckets, seed, merged, part_a + part_b)
            entry["parts"] = [[dict(item_json(i), w=w) for i, w in part] for part in (part_a, part_b)]
            cases.append(entry)

    suggestions = {
        "buckets": [[e, count_min_sketch.suggest_num_buckets(e)] for e in (0.5, 0.1, 0.05, 0.01, 0.001, 1e-6)],
        "hashes": [[c, count_min_sketch.suggest_num_hashes(c)] for c in (0.1, 0.5, 0.9, 0.95, 0.99, 0.999999)],
    }
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    lines = [
        '{"generator":"datasketches==5.2.0",',
        f'"suggestions":{json.dumps(suggestions, **compact)},',
        '"cases":[',
        ",\n".join(json.dumps(case, **compact) for case in cases),
        "]}",
    ]
    (OUT / "cases.json").write_text("\n".join(lines) + "\n")  # one case per line
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
