"""Writes Tests/StatsTests/Fixtures/hash/murmur3.json from the independent `mmh3` implementation.

mmh3.hash64(key, seed) seeds both halves with a 32-bit seed, which equals DataSketches' 64-bit
seeding (h1 = h2 = seed) whenever the seed fits in 32 bits. Pinned: mmh3==5.1.0.
Run: python Tests/interop/generate_hash_fixtures.py
"""
import json
import pathlib
import random
import struct

import mmh3

OUT = pathlib.Path(__file__).resolve().parents[1] / "StatsTests" / "Fixtures" / "hash" / "murmur3.json"


def main() -> None:
    rng = random.Random(20261125)
    cases = []
    for length in list(range(0, 40)) + [63, 64, 65, 127, 128, 1000]:
        for seed in (0, 9001, 0xFFFFFFFF):
            data = bytes(rng.randrange(256) for _ in range(length))
            h1, h2 = mmh3.hash64(data, seed, signed=False)
            cases.append({"hex": data.hex(), "seed": seed, "h1": str(h1), "h2": str(h2)})
    ints = []
    for value in [0, 1, -1, 2**63 - 1, -(2**63), 123456789, -987654321]:
        h1, h2 = mmh3.hash64(struct.pack("<q", value), 9001, signed=False)
        ints.append({"value": str(value), "h1": str(h1), "h2": str(h2)})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": "mmh3==5.1.0", "bytes": cases, "int64": ints}, indent=1) + "\n")
    print(f"wrote {OUT} ({len(cases)} byte cases, {len(ints)} int cases)")


if __name__ == "__main__":
    main()
