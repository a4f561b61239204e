"""Writes the KLL floats sketch fixtures in Tests/StatsTests/Fixtures/kll/ with the real
Apache DataSketches Python package (pinned: datasketches==5.2.0, C++ core 5.2.0).

Run from the package root:
    /work/venv-ds/bin/python Tests/interop/generate_kll_fixtures.py
(any Python 3.9+ with `pip install datasketches==5.2.0` works).

Inputs are deterministic streams that the Swift tests regenerate bit for bit (see `stream`):
SplitMix64 words mapped to floats with plain IEEE double arithmetic and one rounding to float32,
so both sides feed the sketches identical values. DataSketches compacts with an unseeded random
bit, so the images of sketches past their first compaction differ from run to run; their
expectations are always recomputed from the images written alongside them, so any run of this
script produces a self-consistent fixture set.

A case is a list of parts (k, input streams, extra values): the first part's sketch with the
others merged into it, in order. Each case writes `<name>.bin` (the compact image from
`serialize()`) and one entry in `expected.json`. Floats are written as 8-hex-digit IEEE-754 bit patterns so infinities and -0.0
survive JSON; ranks are plain JSON numbers (Python writes the shortest round-trip repr).
"""
import importlib.metadata
import json
import math
import pathlib
import struct

import datasketches as ds

OUT = pathlib.Path(__file__).resolve().parents[1] / "StatsTests" / "Fixtures" / "kll"
MASK64 = (1 << 64) - 1

RANKS = [0.0, 0.001, 0.01, 0.1, 0.25, 1.0 / 3.0, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0]


def splitmix64(seed):
    """The same generator as `SplitMix64` in Tests/StatsTests/Support/Fixtures.swift."""
    state = seed & MASK64
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        yield z ^ (z >> 31)


def to_float32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def stream(spec):
    """Float32 values of a stream spec; mirrored by `KLLFixtureStream` in the Swift tests."""
    kind, seed, count = spec["kind"], spec["seed"], spec["count"]
    words = splitmix64(seed)
    values = []
    for index in range(count):
        word = next(words)
        if kind == "uniform":  # [-500, 500)
            value = (word >> 40) / 16777216.0 * 1000.0 - 500.0
        elif kind == "smallIntegers":  # 0 ... 9, heavy duplicates
            value = float(word % 10)
        elif kind == "ascending":  # index, 0 ... count-1
            value = float(index)
        elif kind == "logNormalish":  # wide dynamic range, both signs
            value = math.ldexp((word >> 40) / 16777216.0 + 0.5, (word & 0xFF) % 60 - 30)
            if word & 0x100:
                value = -value
        else:
            raise ValueError(kind)
        values.append(to_float32(value))
    return values


def bits(value):
    """The IEEE-754 bit pattern of `value` rounded to float32, as 8 hex digits."""
    return format(struct.unpack("<I", struct.pack("<f", value))[0], "08x")


def build(part):
    """A sketch of one part: {"k", "inputs": [stream spec], "extraValues": [float]} in that order."""
    sketch = ds.kll_floats_sketch(part["k"])
    for spec in part["inputs"]:
        for value in stream(spec):
            sketch.update(value)
    for value in part["extraValues"]:
        sketch.update(value)
    return sketch


def build_merged(parts):
    """The first part's sketch with every other part's sketch merged into it, in order."""
    target = build(parts[0])
    for part in parts[1:]:
        target.merge(build(part))
    return target


def json_part(part):
    return {"k": part["k"], "inputs": part["inputs"], "extraValues": [bits(v) for v in part["extraValues"]]}


def describe(name, image, parts, queried):
    # Read the written image back so the expectations describe exactly the bytes on disk.
    sketch = ds.kll_floats_sketch.deserialize(image)
    entry = {
        "name": name,
        "file": f"{name}.bin",
        "parts": [json_part(p) for p in parts],
        "queriedBeforeSerializing": queried,
        "k": sketch.k,
        "n": sketch.n,
        "isEmpty": sketch.is_empty(),
        "isEstimationMode": sketch.is_estimation_mode(),
        "numRetained": sketch.num_retained,
        "rankError": sketch.normalized_rank_error(False),
        "rankErrorPMF": sketch.normalized_rank_error(True),
    }
    if sketch.is_empty():
        return entry
    low, high = sketch.get_min_value(), sketch.get_max_value()
    entry["min"] = bits(low)
    entry["max"] = bits(high)
    entry["quantiles"] = [
        {
            "rank": r,
            "inclusive": bits(sketch.get_quantile(r, True)),
            "exclusive": bits(sketch.get_quantile(r, False)),
        }
        for r in RANKS
    ]
    candidates = [sketch.get_quantile(r, True) for r in RANKS] + [low - 1.0, high + 1.0, (low + high) / 2.0, math.nan]
    probes = list({bits(p): to_float32(p) for p in candidates}.values())  # unique bit patterns, NaN kept
    entry["ranks"] = [
        {"item": bits(p), "inclusive": sketch.get_rank(p, True), "exclusive": sketch.get_rank(p, False)}
        for p in probes
    ]
    splits = sorted({to_float32(sketch.get_quantile(r, True)) for r in (0.1, 0.5, 0.9)} | {to_float32(low - 1.0)})
    entry["splitPoints"] = [bits(p) for p in splits]
    entry["pmfInclusive"] = sketch.get_pmf(splits, True)
    entry["pmfExclusive"] = sketch.get_pmf(splits, False)
    entry["cdfInclusive"] = sketch.get_cdf(splits, True)
    entry["cdfExclusive"] = sketch.get_cdf(splits, False)
    return entry


def spec(kind, seed, count):
    return {"kind": kind, "seed": seed, "count": count}


def part(k, inputs=(), extra=()):
    return {"k": k, "inputs": list(inputs), "extraValues": list(extra)}


EXTREMES = [math.inf, -math.inf, -0.0, 0.0, 3.4028234663852886e38, -3.4028234663852886e38,
            1.401298464324817e-45, -1.401298464324817e-45, 1.0, -1.0]


def cases():
    """(name, parts, queried) in the order written."""
    yield "empty_k200", [part(200)], False
    yield "empty_k8", [part(8)], False
    yield "single_k200", [part(200, extra=[42.5])], False
    yield "single_k200_queried", [part(200, extra=[-7.25])], True
    for k, kind, seed, count, queried in [
        (200, "uniform", 1, 10, False),
        (200, "uniform", 2, 1000, False),
        (200, "uniform", 3, 100000, False),
        (200, "uniform", 4, 100000, True),
        (200, "ascending", 5, 5000, False),
        (8, "uniform", 6, 1000, False),
        (8, "logNormalish", 7, 20000, False),
        (1000, "uniform", 8, 1000, False),
        (1000, "logNormalish", 9, 100000, False),
        (64, "smallIntegers", 10, 20000, False),
        (65535, "uniform", 11, 100, False),
    ]:
        name = f"k{k}_{kind}_n{count}" + ("_queried" if queried else "")
        yield name, [part(k, [spec(kind, seed, count)])], queried
    yield "k200_extremes", [part(200, extra=EXTREMES)], False
    yield "merged_k200_k200", [part(200, [spec("uniform", 20, 50000)]), part(200, [spec("uniform", 21, 50000)])], False
    yield "merged_k200_k100", [part(200, [spec("logNormalish", 22, 60000)]),
                               part(100, [spec("logNormalish", 23, 40000)])], False
    yield "merged_empty_k100_k400", [part(100), part(400, [spec("uniform", 24, 30000)])], False
    yield "merged_exact_k200_k200", [part(200, [spec("uniform", 25, 150)]), part(200, [spec("uniform", 26, 120)])], False
    yield "merged_exact_k300_k200", [part(300, [spec("uniform", 27, 150)]), part(200, [spec("uniform", 28, 120)])], False


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, parts, queried in cases():
        sketch = build_merged(parts)
        if queried:
            sketch.get_quantile(0.5, True)  # sorts level zero: the image carries that flag
        image = sketch.serialize()
        (OUT / f"{name}.bin").write_bytes(image)
        entries.append(describe(name, image, parts, queried))
    static = [
        {"k": k, "rankError": ds.kll_floats_sketch.get_normalized_rank_error(k, False),
         "rankErrorPMF": ds.kll_floats_sketch.get_normalized_rank_error(k, True)}
        for k in (8, 100, 200, 1000, 65535)
    ]
    document = {"generator": f"datasketches=={importlib.metadata.version('datasketches')}",
                "cases": entries, "staticRankErrors": static}
    (OUT / "expected.json").write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(entries)} images and expected.json to {OUT}")


if __name__ == "__main__":
    main()
