"""Writes the frequent-items fixtures in Tests/StatsTests/Fixtures/fi/ with the real DataSketches.

Pinned: datasketches==5.2.0 (Linux x86_64 wheel), `frequent_strings_sketch` (uint64 weights).
Run:    /work/venv-ds/bin/python Tests/interop/generate_fi_fixtures.py
Output is deterministic: every stream comes from random.Random seeded per case.

cases.json has one case per line:
  lg_max      the constructor's lg_max_k
  vocab       the distinct strings of the case (ASCII, unicode, canonically-equivalent pairs, "")
  parts       one or two update streams, each {"items": [vocab index], "weights": [uint64]};
              the image is part 0 merged with part 1 when there are two
  image       file name of Python's serialize() output
  lg_cur      byte 4 of the image
  true        exact total weight of every vocab item in the whole stream
  built       Python's answers from the sketch it built, and
  decoded     from the sketch it decodes from the image (they differ only for all-purged sketches):
    total_weight, num_active, epsilon, maximum_error (upper bound of an absent item)
    queries   [vocab index, estimate, lower, upper] for every vocab item and a few absent ones
              (absent ones use index -1, in the order of "absent")
    frequent  [{"type": "NO_FALSE_POSITIVES" | "NO_FALSE_NEGATIVES", "threshold": int or null
              (null = Python's default, the maximum error), "rows": [[item, est, lower, upper]]}]
              rows sorted by estimate descending, ties by UTF-8 bytes (DataSketches leaves ties
              in an unspecified order)
  reserialized  hex of Python's deserialize(image).serialize() when that differs from the image
              (null otherwise): decoding re-inserts items, so slots, and thus the order, can change
"""
import json
import pathlib
import random

from datasketches import frequent_items_error_type, frequent_strings_sketch

OUT = pathlib.Path(__file__).resolve().parents[1] / "StatsTests" / "Fixtures" / "fi"
UNICODE = ["héllo", "e\u0301", "\u00e9", "日本語", "🙂", "Ωmega", "naïve café", "ß", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "a\u0000b", ""]
ABSENT = ["absent", "🙃", "item-999999"]
TYPES = {"NO_FALSE_POSITIVES": frequent_items_error_type.NO_FALSE_POSITIVES,
         "NO_FALSE_NEGATIVES": frequent_items_error_type.NO_FALSE_NEGATIVES}


def make_vocab(rng, size):
    words = [f"item-{n}" for n in range(size)] + UNICODE
    words.append("a-long-item-" + "x" * 40)
    rng.shuffle(words)
    return words


def make_part(rng, vocab, count, heavy=False):
    items, weights = [], []
    for _ in range(count):
        index = int(rng.random() ** 3 * len(vocab))
        weight = 1
        roll = rng.random()
        if roll < 0.1:
            weight = rng.randrange(2, 50)
        elif heavy and roll < 0.12:
            weight = rng.randrange(10**11, 10**12)
        items.append(index)
        weights.append(weight)
    return {"items": items, "weights": weights}


def build(lg_max, vocab, part):
    sketch = frequent_strings_sketch(lg_max)
    for index, weight in zip(part["items"], part["weights"]):
        sketch.update(vocab[index], weight)
    return sketch


def row_key(row):
    return (-row[1], row[0].encode("utf-8"))


def answers(sketch, vocab):
    """What Python reports for `sketch`: weights, error, bounds and frequent-item lists."""
    queries = [[i, sketch.get_estimate(w), sketch.get_lower_bound(w), sketch.get_upper_bound(w)]
               for i, w in enumerate(vocab)]
    queries += [[-1, sketch.get_estimate(w), sketch.get_lower_bound(w), sketch.get_upper_bound(w)] for w in ABSENT]
    frequent = []
    for type_name, error_type in TYPES.items():
        for threshold in (None, max(1, sketch.total_weight // 50), sketch.total_weight // 7 + 1):
            rows = sketch.get_frequent_items(error_type, threshold or 0)
            rows = sorted(([r[0], r[1], r[2], r[3]] for r in rows), key=row_key)
            frequent.append({"type": type_name, "threshold": threshold, "rows": rows})
    return {
        "total_weight": sketch.total_weight,
        "num_active": sketch.num_active_items,
        "epsilon": sketch.epsilon,
        "maximum_error": sketch.get_upper_bound("absent"),
        "queries": queries,
        "frequent": frequent,
    }


def describe(name, lg_max, vocab, parts, sketch):
    image = sketch.serialize()
    (OUT / f"{name}.bin").write_bytes(image)
    decoded = frequent_strings_sketch.deserialize(image)
    truth = [0] * len(vocab)
    for part in parts:
        for index, weight in zip(part["items"], part["weights"]):
            truth[index] += weight
    return {
        "name": name,
        "lg_max": lg_max,
        "lg_cur": image[4],
        "image": f"{name}.bin",
        "vocab": vocab,
        "absent": ABSENT,
        "parts": parts,
        "true": truth,
        # the sketch that was built, and the one Python decodes from its image: they differ only
        # when every item was purged (an empty image keeps neither total weight nor error)
        "built": answers(sketch, vocab),
        "decoded": answers(decoded, vocab),
        # a decoded map is laid out by fresh insertions, so it may serialize in another order
        "reserialized": None if decoded.serialize() == image else decoded.serialize().hex(),
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.bin"):
        old.unlink()
    cases = []

    rng = random.Random(1)
    vocab = make_vocab(rng, 20)
    cases.append(describe("empty_lg3", 3, vocab, [{"items": [], "weights": []}], frequent_strings_sketch(3)))

    # Seven distinct items of weight 1 overflow an lg 3 map (capacity 6); the purge median is 1,
    # so every item goes and the sketch serializes as empty although its total weight is 7.
    for lg_max, distinct in ((3, 7), (5, 25)):
        part = {"items": list(range(distinct)), "weights": [1] * distinct}
        vocab = [f"purged-{n}" for n in range(distinct)]
        sketch = build(lg_max, vocab, part)
        cases.append(describe(f"purged_to_empty_lg{lg_max}", lg_max, vocab, [part], sketch))

    streams = [(3, 40, 600, False), (4, 80, 1500, False), (5, 300, 3000, True), (8, 600, 4000, False),
               (10, 3000, 6000, True), (10, 200, 2000, False)]
    for n, (lg_max, vocab_size, count, heavy) in enumerate(streams):
        rng = random.Random(100 + n)
        vocab = make_vocab(rng, vocab_size)
        part = make_part(rng, vocab, count, heavy)
        cases.append(describe(f"stream{n}_lg{lg_max}", lg_max, vocab, [part], build(lg_max, vocab, part)))

    for n, (lg_a, lg_b, vocab_size) in enumerate([(5, 5, 200), (8, 4, 500), (4, 4, 12)]):
        rng = random.Random(500 + n)
        vocab = make_vocab(rng, vocab_size)
        part_a, part_b = make_part(rng, vocab, 1500), make_part(rng, vocab, 1000, heavy=True)
        merged = build(lg_a, vocab, part_a)
        merged.merge(build(lg_b, vocab, part_b))
        case = describe(f"merged{n}_lg{lg_a}_lg{lg_b}", lg_a, vocab, [part_a, part_b], merged)
        case["lg_max_other"] = lg_b
        cases.append(case)

    compact = {"separators": (",", ":"), "ensure_ascii": False}
    body = ",\n".join(json.dumps(case, **compact) for case in cases)
    (OUT / "cases.json").write_text('{"generator":"datasketches==5.2.0","cases":[\n' + body + "\n]}\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
