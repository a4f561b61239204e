"""Writes Tests/StatsTests/Fixtures/hll/*.json from the real Apache DataSketches (datasketches==5.2.0).

Each case records the inputs (as a recipe), the compact and updatable HLL_8 images, HLL_4/HLL_6
images of the same sketch, and the estimate and bounds Python reports; union cases record the
union's estimate and its HLL_8 result. Deterministic. Run:
    python -m venv v && v/bin/pip install datasketches==5.2.0 && v/bin/python Tests/interop/generate_hll_fixtures.py
"""
import json
import pathlib

from datasketches import HLL_4, HLL_6, HLL_8, hll_sketch, hll_union

OUT = pathlib.Path(__file__).resolve().parents[1] / "StatsTests" / "Fixtures" / "hll"


def items(kind: str, start: int, count: int):
    if kind == "int":
        return [start + i for i in range(count)]
    if kind == "double":
        return [(start + i) * 0.5 - 7.25 for i in range(count)]
    if kind == "string":
        return [f"item-{start + i}" for i in range(count)]
    if kind == "unicode":
        return [f"ключ-{start + i}-✓" for i in range(count)]
    raise ValueError(kind)


def describe(sketch):
    return {
        "estimate": sketch.get_estimate(),
        "lower": [sketch.get_lower_bound(n) for n in (1, 2, 3)],
        "upper": [sketch.get_upper_bound(n) for n in (1, 2, 3)],
    }


def sketch_case(lg_k: int, kind: str, count: int):
    sketches = {}
    for name, tgt in (("hll8", HLL_8), ("hll6", HLL_6), ("hll4", HLL_4)):
        s = hll_sketch(lg_k, tgt)
        for item in items(kind, 0, count):
            s.update(item)
        sketches[name] = s
    s8 = sketches["hll8"]
    case = {"lg_k": lg_k, "kind": kind, "start": 0, "count": count,
            "mode": str(s8).split("Current Mode   : ")[1].split("\n")[0].strip(),
            "compact": s8.serialize_compact().hex(), "updatable": s8.serialize_updatable().hex()}
    for name in ("hll6", "hll4"):
        case[name + "_compact"] = sketches[name].serialize_compact().hex()
        case[name + "_updatable"] = sketches[name].serialize_updatable().hex()
    case.update(describe(s8))
    return case


def union_case(lg_max_k: int, parts):
    u = hll_union(lg_max_k)
    images = []
    for lg_k, kind, start, count in parts:
        s = hll_sketch(lg_k, HLL_8)
        for item in items(kind, start, count):
            s.update(item)
        images.append(s.serialize_compact().hex())
        u.update(s)
    result = u.get_result(HLL_8)  # before any estimate call, as Vigil's `result`
    case = {"lg_max_k": lg_max_k, "parts": [list(p) for p in parts], "images": images,
            "result_compact": result.serialize_compact().hex()}
    case.update(describe(u))
    case["result_estimate"] = result.get_estimate()
    return case


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    cases = []
    for lg_k in (4, 5, 7, 8, 10, 12, 14):
        for count in (0, 1, 3, 7, 8, 9, 24, 25, 100, 400, 1000, 5000, 30000):
            if lg_k >= 12 and count in (9, 25):
                continue
            cases.append(sketch_case(lg_k, "int", count))
        for kind in ("string", "unicode", "double"):
            for count in (5, 500, 20000):
                cases.append(sketch_case(lg_k, kind, count))
    (OUT / "sketches.json").write_text(json.dumps({"generator": "datasketches==5.2.0", "cases": cases}) + "\n")

    unions = [
        union_case(12, [(12, "int", 0, 5), (12, "int", 3, 5)]),
        union_case(12, [(12, "int", 0, 100), (12, "int", 50, 200)]),
        union_case(12, [(12, "int", 0, 10000), (12, "int", 5000, 10000)]),
        union_case(12, [(12, "string", 0, 3000), (10, "string", 1000, 3000)]),
        union_case(12, [(10, "int", 0, 3000), (12, "int", 1000, 3000)]),
        union_case(12, [(8, "int", 0, 50), (12, "int", 0, 20000)]),
        union_case(14, [(12, "int", 0, 20000), (14, "int", 10000, 20000), (13, "int", 0, 100)]),
        union_case(10, [(12, "int", 0, 5000)]),
        union_case(4, [(4, "int", 0, 3), (7, "int", 0, 1000)]),
    ]
    (OUT / "unions.json").write_text(json.dumps({"generator": "datasketches==5.2.0", "cases": unions}) + "\n")
    # DataSketches 5.2.0 loses data in these unions (see HLLUnion.mergeRegisters); Vigil keeps it.
    divergent = []
    for lg_max_k, parts in ((10, [(12, "int", 0, 5000), (12, "int", 5000, 5000)]),
                            (10, [(8, "int", 0, 20), (12, "int", 0, 5000), (12, "int", 4000, 5000)])):
        u = hll_union(lg_max_k)
        images = []
        for lg_k, kind, start, count in parts:
            s = hll_sketch(lg_k)
            for item in items(kind, start, count):
                s.update(item)
            images.append(s.serialize_compact().hex())
            u.update(s)
        divergent.append({"lg_max_k": lg_max_k, "images": images, "python_estimate": u.get_estimate(),
                          "distinct": len({i for _, kind, start, count in parts for i in range(start, start + count)})})
    (OUT / "union-divergence.json").write_text(json.dumps({"cases": divergent}) + "\n")
    print(f"wrote {len(cases)} sketch cases and {len(unions)} union cases to {OUT}")


if __name__ == "__main__":
    main()
