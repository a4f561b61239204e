#!/usr/bin/env python3
"""Stats interop check: the `vigil sketch` CLI against the real Apache DataSketches 5.2.0 (Python).

Usage:
    stats_interop.py [--vigil PATH] [--groups hll,hll-merge,cms,fi,kll,cli] [--keep]

PATH defaults to $VIGIL_BIN, else <repo>/.build/release/vigil. The seed is printed first; set
VIGIL_INTEROP_SEED to reproduce a run. Every case writes its inputs and images under a work
directory that is kept (and printed) when anything fails, or always with --keep / VIGIL_INTEROP_KEEP=1.

Prints one line per check group with its counts and ends with exactly one line `N passed, M failed`.
Exit status 1 if anything failed, 2 if the environment is wrong (wrong datasketches, no vigil).

Conventions decided here (see Tests/interop/README.md):
- HLL/CMS string items are the line's UTF-8 bytes; Python gets the same `str`. Empty lines are
  skipped by vigil and are no-ops in DataSketches HLL/CMS; for FI (where DataSketches would count "")
  the Python side skips them too, mirroring the CLI.
- `--numeric double` lines are Python `repr(float)`; "nan", "inf", "-inf", "-0.0" are included and
  must hash like Python's `update(float(...))` (DataSketches canonicalizes -0.0 to 0.0 and every NaN
  to one quiet NaN, so NaN counts as one distinct item).
- `--numeric int` covers -2^63 … 2^63-1; 2^63 is not an Int64 (Python would silently hash it as a
  double) and must be rejected by vigil with one error line (checked in the cli group).
- KLL: vigil's `describe --rank R` is compared with Python `get_quantile(R, inclusive=True)`
  (DataSketches C++'s default; the Python binding's default is exclusive). NaN lines are ignored by
  DataSketches KLL and must be by vigil.
"""
import argparse
import importlib.metadata
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from datasketches import (count_min_sketch, frequent_strings_sketch, hll_sketch, hll_union,
                          kll_floats_sketch, tgt_hll_type)

DATASKETCHES_VERSION = "5.2.0"
DEFAULT_SEED = 20251125
REL = 1e-9
GROUPS = ["hll", "hll-merge", "cms", "fi", "kll", "cli"]
TARGETS = {"HLL_4": tgt_hll_type.HLL_4, "HLL_6": tgt_hll_type.HLL_6, "HLL_8": tgt_hll_type.HLL_8}
MODES = {0: "LIST", 1: "SET", 2: "HLL"}
MAX_DETAILED_FAILURES = 10  # with the command and its stderr
MAX_PRINTED_FAILURES = 100  # one line each


# ---------------------------------------------------------------------------------------------
# Bookkeeping


class Report:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}  # group -> [passed, failed, cases]
        self.notes = {}   # group -> [str]
        self.printed = {}
        self.failed_total = 0

    def _group(self, group):
        return self.counts.setdefault(group, [0, 0, 0])

    def case(self, group):
        with self.lock:
            self._group(group)[2] += 1

    def check(self, group, ok, where, what, detail=""):
        with self.lock:
            counts = self._group(group)
            if ok:
                counts[0] += 1
                return True
            counts[1] += 1
            self.failed_total += 1
            printed = self.printed.get(group, 0)
            self.printed[group] = printed + 1
            if printed < MAX_DETAILED_FAILURES:
                print(f"FAIL {group} [{where}]: {what}" + (f"\n     {detail}" if detail else ""), flush=True)
            elif printed < MAX_PRINTED_FAILURES:
                print(f"FAIL {group} [{where}]: {what}"[:300], flush=True)
            elif printed == MAX_PRINTED_FAILURES:
                print(f"FAIL {group}: further failures in this group are counted but not printed", flush=True)
            return False

    def error(self, group, where, exc):
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-3:]).strip()
        self.check(group, False, where, f"harness exception: {exc!r}", text.replace("\n", "\n     "))

    def note(self, group, text):
        with self.lock:
            self.notes.setdefault(group, []).append(text)


R = Report()


def close(a, b, rel=REL):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if a == b:
        return True
    return abs(a - b) <= rel * max(abs(a), abs(b))


NULL_FOR_NONFINITE = [0]


def json_float_eq(got, want):
    """vigil's JSON writes NaN and ±infinity as null (JSON has neither): null matches a non-finite value."""
    if got is None:
        if want is not None and not math.isfinite(want):
            NULL_FOR_NONFINITE[0] += 1
            return True
        return want is None
    return want is not None and got == want


def first_diff(a: bytes, b: bytes):
    if a == b:
        return "equal"
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"first difference at byte {i}: vigil 0x{x:02x}, python 0x{y:02x} (lengths {len(a)} / {len(b)})"
    return f"lengths differ: vigil {len(a)}, python {len(b)}"


# ---------------------------------------------------------------------------------------------
# Running vigil


class Run:
    def __init__(self, argv, rc, out, err, seconds):
        self.argv, self.rc, self.out, self.err, self.seconds = argv, rc, out, err, seconds

    @property
    def cmd(self):
        return " ".join(_quote(a) for a in self.argv)

    def json(self):
        return json.loads(self.out)


def _quote(a):
    a = str(a)
    if a and all(c.isalnum() or c in "-_./=:," for c in a):
        return a
    return "'" + a.replace("'", "'\\''") + "'"


class Vigil:
    def __init__(self, path, workers=2):
        self.path = path
        self.pool = ThreadPoolExecutor(max_workers=workers)

    def run(self, *args, stdin=None, timeout=300):
        argv = [self.path, *map(str, args)]
        start = time.monotonic()
        p = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout)
        return Run(argv, p.returncode, p.stdout, p.stderr.decode("utf-8", "replace"), time.monotonic() - start)

    def submit(self, *args, **kw):
        return self.pool.submit(self.run, *args, **kw)


def ran_ok(group, where, run, what):
    """Checks a vigil run that must succeed; returns True when it did."""
    return R.check(group, run.rc == 0, where, f"{what}: exit {run.rc}", f"$ {run.cmd}\n     stderr: {run.err.strip()[:400]}")


def item_args(item):
    """`--item X` (the `--item=X` form is checked separately in the cli group: vigil misreads it when
    X starts with a combining mark or ZWJ); `--item=X` when X looks like an option."""
    return [f"--item={item}"] if item.startswith("-") else ["--item", item]


def write_lines(path, lines, trailing_newline=True):
    text = "\n".join(lines)
    if trailing_newline and lines:
        text += "\n"
    with open(path, "wb") as f:
        f.write(text.encode("utf-8"))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data: bytes):
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------------------------------------
# Random inputs

# Pieces of strings: ASCII, 2/3/4-byte UTF-8, combining marks, ZWJ emoji, BOM, U+2028/U+0085 (not
# newlines for vigil), U+10FFFF. Tabs, CR and NUL are added only where the line format allows.
PIECES = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,;:!?@#$%^&*()[]{}<>/\\|'\"`~+=")
          + ["é", "ß", "ñ", "ø", "ж", "Ω", "λ", "ك", "ש", "ह", "漢", "字", "한", "の", "€", "™", "\u0301", "\u200d",
             "\ufeff", "\u2028", "\u0085", "\U0010ffff", "😀", "🎉", "👩‍👩‍👧", "🇺🇦", "𠜎", "𝄞", "\u00a0"])


def random_string(rng, tab=False, cr=False, nul=False, max_len=16):
    pieces = PIECES + (["\t"] if tab else []) + (["\r"] if cr else []) + (["\x00"] if nul else [])
    n = rng.randint(1, max_len)
    s = "".join(rng.choice(pieces) for _ in range(n))
    if cr:  # a CR only inside the line: a trailing CR is a line-ending question, not an item one
        s = s.rstrip("\r") or "x"
    return s


# distinct byte strings that Unicode calls canonically equivalent: sketches must keep them apart
EQUIVALENT = ["\u00e9", "e\u0301", "\u00c5", "A\u030a", "\u212b", "caf\u00e9", "cafe\u0301"]


def vocabulary(rng, size, **kw):
    seen = set(EQUIVALENT)
    out = []
    while len(out) < size:
        s = random_string(rng, **kw)
        if s not in seen:
            seen.add(s)
            out.append(s)
    # the equivalent forms take frequent ranks 2, 3, 5, 8, … so they are heavy hitters and collide in small maps
    for i, e in enumerate(EQUIVALENT):
        out.insert(min(len(out), 1 + i * (i + 1) // 2), e)
    return out


SPECIAL_DOUBLES = ["0.0", "-0.0", "nan", "inf", "-inf", "5e-324", "-5e-324", "2.2250738585072014e-308",
                   "2.225073858507201e-308", "1.7976931348623157e+308", "-1.7976931348623157e+308", "1.0", "-1.0",
                   "0.1", "9007199254740992.0", "9007199254740993.0", "9.223372036854776e+18", "1e-300", "1e+300",
                   "-3.4028234663852886e+38", "1.401298464324817e-45"]
SPECIAL_INTS = [0, 1, -1, 2, -2, 127, -128, 255, 65535, 2**31 - 1, -2**31, 2**32, 2**53 + 1, -2**63, 2**63 - 1, -2**63 + 1, 2**63 - 2]


def hll_items(rng, nprng, kind, n, empties=False):
    """n lines of the given kind (text), specials first so small sizes see them."""
    if kind == "str":
        if n > 50000:
            prefixes = [random_string(rng, tab=True, cr=True, nul=True, max_len=6) for _ in range(997)]
            return [f"{prefixes[i % 997]}{i}" for i in range(n)]
        out = [random_string(rng, tab=True, cr=True, nul=True) for _ in range(n)]
        if empties:
            for i in rng.sample(range(n), max(1, n // 50)) if n else []:
                out[i] = ""
        return out
    if kind == "int":
        body = nprng.integers(-2**63, 2**63 - 1, size=max(0, n), dtype=np.int64, endpoint=True).tolist()
        small = nprng.integers(-1000, 1000, size=max(0, n)).tolist()
        vals = [body[i] if i % 3 else small[i] for i in range(n)]
        head = SPECIAL_INTS[:]
        rng.shuffle(head)
        vals[:min(n, len(head))] = head[:n]
        return [str(v) for v in vals]
    if kind == "double":
        mant = nprng.standard_normal(size=max(0, n))
        expo = nprng.integers(-300, 300, size=max(0, n))
        vals = (mant * np.power(10.0, expo.astype(np.float64))).tolist()
        unif = nprng.random(size=max(0, n)).tolist()
        vals = [vals[i] if i % 2 else unif[i] for i in range(n)]
        text = [repr(v) for v in vals]
        head = SPECIAL_DOUBLES[:]
        rng.shuffle(head)
        text[:min(n, len(head))] = head[:n]
        return text
    raise ValueError(kind)


def py_value(kind, line):
    if kind == "str":
        return line
    if kind == "int":
        return int(line)
    return float(line)


# ---------------------------------------------------------------------------------------------
# HLL


def image_mode(img: bytes):
    return MODES.get(img[7] & 3, "?") if len(img) > 7 else "?"


def image_target(img: bytes):
    return {0: "HLL_4", 1: "HLL_6", 2: "HLL_8"}.get((img[7] >> 2) & 3, "?") if len(img) > 7 else "?"


def describe_hll_py(s):
    return {"estimate": s.get_estimate(), "lower_bound": [s.get_lower_bound(i) for i in (1, 2, 3)],
            "upper_bound": [s.get_upper_bound(i) for i in (1, 2, 3)], "empty": s.is_empty()}


def compare_hll_json(group, where, got, want, lg_k, mode, target, source):
    problems = []
    if got.get("type") != "hll":
        problems.append(f"type {got.get('type')!r}")
    if got.get("lg_k") != lg_k:
        problems.append(f"lg_k {got.get('lg_k')} != {lg_k}")
    if got.get("mode") != mode:
        problems.append(f"mode {got.get('mode')} != {mode}")
    if got.get("target") != target:
        problems.append(f"target {got.get('target')} != {target}")
    if got.get("empty") != want["empty"]:
        problems.append(f"empty {got.get('empty')} != {want['empty']}")
    if not close(got.get("estimate"), want["estimate"]):
        problems.append(f"estimate {got.get('estimate')!r} != python {want['estimate']!r}")
    for key in ("lower_bound", "upper_bound"):
        g = got.get(key) or [None] * 3
        if len(g) != 3 or not all(close(a, b) for a, b in zip(g, want[key])):
            problems.append(f"{key} {g} != python {want[key]}")
    return R.check(group, not problems, where, f"describe --json of {source}: " + "; ".join(problems))


def find_transitions(lg_k, kind, lines):
    """Prefix lengths at which a Python HLL_8 sketch fed `lines` changes mode (LIST→SET→HLL)."""
    s = hll_sketch(lg_k, tgt_hll_type.HLL_8)
    hll_size = 40 + (1 << lg_k)
    out = []
    last_kind = "LIST"
    for i, line in enumerate(lines, 1):
        if line:
            s.update(py_value(kind, line))
        size = s.get_compact_serialization_bytes()
        if last_kind != "HLL" and size >= hll_size:
            out.append(i)
            last_kind = "HLL"
        elif last_kind == "LIST" and size > 8 + 4 * 7:
            mode = image_mode(s.serialize_compact())
            if mode != last_kind:
                out.append(i)
                last_kind = mode
        if last_kind == "HLL":
            break
    return out


def hll_sequences(rng, nprng):
    """(lg_k, kind, lines, sizes, empties) — boundary sequences, random ones and the 10^6 ones."""
    seqs = []
    kinds = ["str", "int", "double"]
    boundary_lgks = [4, 7, 8, 12, 21, rng.randint(5, 11), rng.randint(13, 20)]
    for j, lg_k in enumerate(boundary_lgks):
        kind = "str" if lg_k == 21 else kinds[j % 3]
        # SET→HLL once 4·coupons > 3·2^(lgK-3); coupon collisions and repeated items delay it a little
        limit = int((3 << (lg_k - 5)) * 1.03) + 64 if lg_k >= 8 else 64
        lines = hll_items(rng, nprng, kind, limit, empties=False)
        trans = find_transitions(lg_k, kind, lines)
        sizes = {1, 7, 8, 9}
        for t in trans:
            sizes |= {t - 1, t, t + 1}
        if lg_k == 4:
            sizes.add(0)
        sizes.add(rng.randint(10, limit - 1))
        seqs.append((lg_k, kind, lines, sorted(s for s in sizes if 0 <= s <= limit), False, trans))
    for j in range(12):
        lg_k = rng.choice([4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 16, 18, 20, 21]) if j else 12
        kind = kinds[j % 3]
        top = int(10 ** rng.uniform(1, 5))
        lines = hll_items(rng, nprng, kind, top, empties=(kind == "str" and j % 2 == 0))
        sizes = sorted({top, int(10 ** rng.uniform(0, math.log10(top)))})
        seqs.append((lg_k, kind, lines, sizes, False, []))
    # the big ones: 10^6 strings at lgK 21, 10^6 ints at lgK 4 (HLL_4 exceptions galore), doubles at lgK 10
    seqs.append((21, "str", hll_items(rng, nprng, "str", 10**6), [10**6], False, []))
    seqs.append((4, "int", hll_items(rng, nprng, "int", 10**6), [10**6], False, []))
    seqs.append((10, "double", hll_items(rng, nprng, "double", 300000), [300000], False, []))
    return seqs


def run_hll(vigil, rng, nprng, work):
    group = "hll"
    d = os.path.join(work, "hll")
    os.makedirs(d)
    images = []  # (path, lg_k, target, compact?) of Python images, for the merge group
    seqs = hll_sequences(rng, nprng)
    case_no = 0
    for si, (lg_k, kind, lines, sizes, _, trans) in enumerate(seqs):
        if trans:
            R.note(group, f"lgK {lg_k} {kind}: mode changes at n={trans}")
        # Python: one pass feeding HLL_4/6/8 sketches, snapshots at each size
        sketches = {t: hll_sketch(lg_k, TARGETS[t]) for t in TARGETS}
        fed = 0
        for n in sizes:
            case_no += 1
            where = f"case {case_no}: lgK={lg_k} kind={kind} n={n}"
            base = os.path.join(d, f"c{case_no:03d}")
            R.case(group)
            try:
                inp = base + ".txt"
                write_lines(inp, lines[:n], trailing_newline=bool(case_no % 2))
                numeric = [] if kind == "str" else ["--numeric", kind]
                f_compact = vigil.submit("sketch", "build", "--type", "hll", "--lgk", lg_k, *numeric,
                                         "--input", inp, "--out", base + ".vigil.compact.bin")
                f_upd = vigil.submit("sketch", "build", "--type", "hll", "--lgk", lg_k, "--target", "HLL_8",
                                     "--format", "updatable", *numeric, "--input", inp, "--out", base + ".vigil.updatable.bin")
                for line in lines[fed:n]:
                    if line:
                        v = py_value(kind, line)
                        for s in sketches.values():
                            s.update(v)
                fed = n
                py = {}
                describes = {}
                for t, s in sketches.items():
                    for fmt in ("compact", "updatable"):
                        img = s.serialize_compact() if fmt == "compact" else s.serialize_updatable()
                        path = f"{base}.py.{t}.{fmt}.bin"
                        write(path, img)
                        py[(t, fmt)] = img
                        images.append((path, lg_k, t, fmt))
                        describes[(t, fmt)] = vigil.submit("sketch", "describe", "--json", path)
                want8 = describe_hll_py(sketches["HLL_8"])
                mode8 = image_mode(py[("HLL_8", "compact")])
                # 1. vigil's images are Python's bytes
                rc = f_compact.result()
                ru = f_upd.result()
                vc = vu = None
                if ran_ok(group, where, rc, "build compact"):
                    vc = read(base + ".vigil.compact.bin")
                    R.check(group, vc == py[("HLL_8", "compact")], where, "compact HLL_8 bytes differ from serialize_compact()",
                            f"{first_diff(vc, py[('HLL_8', 'compact')])}\n     $ {rc.cmd}")
                if ran_ok(group, where, ru, "build updatable"):
                    vu = read(base + ".vigil.updatable.bin")
                    R.check(group, vu == py[("HLL_8", "updatable")], where, "updatable HLL_8 bytes differ from serialize_updatable()",
                            f"{first_diff(vu, py[('HLL_8', 'updatable')])}\n     $ {ru.cmd}")
                # 2. describe of vigil's image = Python's estimate and bounds
                if vc is not None:
                    r = vigil.run("sketch", "describe", "--json", base + ".vigil.compact.bin")
                    if ran_ok(group, where, r, "describe vigil image"):
                        compare_hll_json(group, where, r.json(), want8, lg_k, mode8, "HLL_8", "vigil's compact image")
                # 3. Python reads vigil's images
                for label, img in (("compact", vc), ("updatable", vu)):
                    if img is None:
                        continue
                    try:
                        back = hll_sketch.deserialize(img)
                        est = back.get_estimate()
                        R.check(group, est == want8["estimate"] and back.lg_config_k == lg_k, where,
                                f"python reading vigil's {label} image: estimate {est!r} != {want8['estimate']!r} (lgK {back.lg_config_k})")
                    except Exception as e:  # noqa: BLE001
                        R.check(group, False, where, f"python cannot deserialize vigil's {label} image: {e}")
                # 4. vigil reads Python's HLL_4/6/8 compact and updatable images
                for (t, fmt), fut in describes.items():
                    r = fut.result()
                    if ran_ok(group, where, r, f"describe python {t} {fmt}"):
                        back = hll_sketch.deserialize(py[(t, fmt)])
                        compare_hll_json(group, where, r.json(), describe_hll_py(back), lg_k, image_mode(py[(t, fmt)]), t,
                                         f"python's {t} {fmt} image {os.path.basename(base)}.py.{t}.{fmt}.bin")
            except Exception as e:  # noqa: BLE001
                R.error(group, where, e)
        del sketches
    return images


def py_union(lg_max, sketches, settle=True):
    """A Python hll_union fed `sketches` in order.

    datasketches 5.2.0 defers a rebuild of the gadget after it is downsized (an HLL-mode input of
    smaller lgK than the gadget); if another HLL-mode sketch is unioned before anything reads the
    union, the data seen so far is lost (the result is about the last input alone). Reading the
    estimate after each update (`settle`) performs the rebuild; this matches a union of the same
    inputs pre-downsampled to the final lgK, byte for byte. vigil is compared with the settled union;
    the plain union is used only to count how often the buggy shape came up."""
    u = hll_union(lg_max)
    for s in sketches:
        u.update(s)
        if settle:
            u.get_estimate()
    return u


def run_hll_merge(vigil, rng, images, work):
    group = "hll-merge"
    d = os.path.join(work, "hll-merge")
    os.makedirs(d)
    by_lgk = {}
    for im in images:
        by_lgk.setdefault(im[1], []).append(im)
    same = [k for k, v in by_lgk.items() if len(v) >= 6]
    hll_mode = [im for im in images if image_mode(read(im[0])) == "HLL"]
    groups = []
    for j in range(24):
        count = rng.randint(2, 5)
        if j % 2 == 0 and same:
            members = rng.sample(by_lgk[rng.choice(same)], count)
        else:
            members = rng.sample(images, count)
        groups.append(members)
    # the shape DataSketches 5.2.0 needs settling for: HLL-mode inputs of falling lgK, then one more
    lgks = sorted({im[1] for im in hll_mode})
    for j in range(6):
        if len(lgks) < 2:
            break
        hi, lo = sorted(rng.sample(lgks, 2), reverse=True)
        pick = lambda lg: rng.choice([im for im in hll_mode if im[1] == lg])  # noqa: E731
        groups.append([pick(hi), pick(lo), rng.choice(hll_mode)] + ([rng.choice(images)] if j % 2 else []))
    buggy = 0
    for gi, members in enumerate(groups, 1):
        lg_max = max(m[1] for m in members)
        where = f"merge {gi}: " + ", ".join(f"{os.path.basename(m[0])}(lgK {m[1]}, {image_mode(read(m[0]))})" for m in members)
        R.case(group)
        try:
            sk = [hll_sketch.deserialize(read(m[0])) for m in members]
            out = os.path.join(d, f"m{gi:02d}.bin")
            r = vigil.run("sketch", "merge", "--out", out, *[m[0] for m in members])
            if not ran_ok(group, where, r, "merge"):
                continue
            settled = py_union(lg_max, sk)
            plain = py_union(lg_max, [hll_sketch.deserialize(read(m[0])) for m in members], settle=False)
            # get_result() before anything reads the estimate: reading it first runs the deferred
            # rebuild, which also writes cur_min/num_at_cur_min into an HLL_8 result
            plain_result = plain.get_result(tgt_hll_type.HLL_8)
            merged = read(out)
            if plain.get_estimate() == settled.get_estimate():
                u = plain
                result = plain_result
                R.check(group, merged == result.serialize_compact(), where,
                        "merged image differs from union.get_result(HLL_8).serialize_compact()",
                        f"{first_diff(merged, result.serialize_compact())}\n     $ {r.cmd}")
            else:
                # the buggy shape: the settled union's rebuild also fills in cur_min (byte 6) and
                # num_at_cur_min (bytes 32-35), which an HLL_8 result otherwise leaves at 0; mask them
                buggy += 1
                u = settled
                result = u.get_result(tgt_hll_type.HLL_8)
                mask = lambda b: b[:6] + b"\0" + b[7:32] + b"\0\0\0\0" + b[36:] if len(b) >= 40 else b  # noqa: E731
                want = result.serialize_compact()
                R.check(group, mask(merged) == mask(want), where,
                        "merged image differs from the settled union's get_result(HLL_8) (bytes 6, 32-35 masked)",
                        f"{first_diff(mask(merged), mask(want))}\n     $ {r.cmd}")
            rd = vigil.run("sketch", "describe", "--json", out)
            if ran_ok(group, where, rd, "describe merged"):
                got = rd.json()
                R.check(group, close(got.get("estimate"), u.get_estimate()), where,
                        f"merged estimate {got.get('estimate')!r} != python union {u.get_estimate()!r}", f"$ {r.cmd}")
                compare_hll_json(group, where, got, describe_hll_py(result), result.lg_config_k,
                                 image_mode(result.serialize_compact()), "HLL_8", "merged image vs union result")
            # Python reads vigil's merged image and unions it with one more sketch
            try:
                back = hll_sketch.deserialize(merged)
                R.check(group, back.get_estimate() == result.get_estimate(), where,
                        f"python reading merged image: estimate {back.get_estimate()!r} != union result {result.get_estimate()!r}")
                extra_path = rng.choice([im for im in images if im[1] <= lg_max])[0]
                a = py_union(lg_max, [back, hll_sketch.deserialize(read(extra_path))])
                # the round trip matters: DataSketches' in-memory result can union differently (coupon order)
                b = py_union(lg_max, [hll_sketch.deserialize(result.serialize_compact()), hll_sketch.deserialize(read(extra_path))])
                R.check(group, a.get_estimate() == b.get_estimate(), where,
                        f"python union of vigil's merged image + {os.path.basename(extra_path)}: {a.get_estimate()!r}, "
                        f"with python's own (deserialized) union result instead: {b.get_estimate()!r}")
            except Exception as e:  # noqa: BLE001
                R.check(group, False, where, f"python cannot deserialize/union vigil's merged image: {e}")
        except Exception as e:  # noqa: BLE001
            R.error(group, where, e)
    R.note(group, f"{buggy} of {len(groups)} unions had the datasketches 5.2.0 downsize-then-update shape: "
                  "compared with the settled Python union (get_estimate() after each update), see py_union")


# ---------------------------------------------------------------------------------------------
# Count-Min


def run_cms(vigil, rng, nprng, work):
    group = "cms"
    d = os.path.join(work, "cms")
    os.makedirs(d)
    cases = []
    buckets = [5, 65536] + [int(2 ** rng.uniform(math.log2(5), 16)) for _ in range(12)]
    for j, nb in enumerate(buckets):
        nh = [1, 7][j] if j < 2 else rng.randint(1, 7)
        kind = "int" if j % 3 == 1 else "str"
        weights = ["none", "int", "float", "signed"][j % 4]
        n = [0, 1][j] if j < 2 else int(10 ** rng.uniform(1, 5.3))
        cases.append((nh, nb, kind, weights, n))
    for ci, (nh, nb, kind, weights, n) in enumerate(cases, 1):
        where = f"case {ci}: num_hashes={nh} num_buckets={nb} kind={kind} weights={weights} n={n}"
        base = os.path.join(d, f"c{ci:02d}")
        R.case(group)
        try:
            if kind == "str":
                vocab = vocabulary(rng, rng.randint(5, 3000), tab=(weights != "none"), cr=True)
            else:
                vocab = [str(v) for v in SPECIAL_INTS] + [str(v) for v in nprng.integers(-2**63, 2**63 - 1, size=500, dtype=np.int64).tolist()]
            idx = (nprng.zipf(1.3, size=n) - 1) % len(vocab) if n else []
            items = [vocab[i] for i in idx]
            if weights == "none":
                ws = [None] * n
            elif weights == "int":
                ws = [str(w) for w in nprng.integers(1, 1000, size=n).tolist()]
            elif weights == "float":
                ws = [repr(w) for w in (nprng.random(size=n) * 100).tolist()]
            else:
                ws = [repr(w) for w in (nprng.standard_normal(size=n) * 50).tolist()]
            lines = [it if w is None else f"{it}\t{w}" for it, w in zip(items, ws)]
            chunks = [lines[: n // 3], lines[n // 3: 2 * n // 3], lines[2 * n // 3:]]
            numeric = ["--numeric", "int"] if kind == "int" else []
            shape = ["--num-hashes", nh, "--num-buckets", nb]
            write_lines(base + ".txt", lines, trailing_newline=bool(ci % 2))
            f_all = vigil.submit("sketch", "build", "--type", "cms", *shape, *numeric, "--input", base + ".txt", "--out", base + ".vigil.bin")
            f_parts = []
            for pi, chunk in enumerate(chunks):
                write_lines(f"{base}.part{pi}.txt", chunk)
                f_parts.append(vigil.submit("sketch", "build", "--type", "cms", *shape, *numeric,
                                            "--input", f"{base}.part{pi}.txt", "--out", f"{base}.part{pi}.vigil.bin"))

            def feed(sketch, chunk):
                for it, w in chunk:
                    key = int(it) if kind == "int" else it
                    if w is None:
                        sketch.update(key)
                    else:
                        sketch.update(key, float(w))

            pairs = list(zip(items, ws))
            whole = count_min_sketch(nh, nb)
            feed(whole, pairs)
            parts = []
            cuts = [0, n // 3, 2 * n // 3, n]
            for pi in range(3):
                s = count_min_sketch(nh, nb)
                feed(s, pairs[cuts[pi]:cuts[pi + 1]])
                write(f"{base}.part{pi}.py.bin", s.serialize())
                parts.append(s)
            py_img = whole.serialize()
            write(base + ".py.bin", py_img)
            r = f_all.result()
            if not ran_ok(group, where, r, "build"):
                continue
            v_img = read(base + ".vigil.bin")
            R.check(group, v_img == py_img, where, "image differs from serialize()", f"{first_diff(v_img, py_img)}\n     $ {r.cmd}")
            # item estimates and bounds, through describe of vigil's image
            counts = {}
            for it in items:
                counts[it] = counts.get(it, 0) + 1
            top = sorted(counts, key=counts.get, reverse=True)[:2]
            queries = top + rng.sample(vocab, min(3, len(vocab))) + (EQUIVALENT[:2] if kind == "str" else [])
            queries.append("-12345678901" if kind == "int" else "never-seen-✗")
            futs = [(q, vigil.submit("sketch", "describe", "--json", *item_args(q), *numeric, base + ".vigil.bin")) for q in queries]
            for q, f in futs:
                rd = f.result()
                if not ran_ok(group, where, rd, f"describe --item {q!r}"):
                    continue
                got = rd.json()
                key = int(q) if kind == "int" else q
                want = (whole.get_estimate(key), whole.get_lower_bound(key), whole.get_upper_bound(key))
                have = (got.get("item_estimate"), got.get("item_lower_bound"), got.get("item_upper_bound"))
                ok = all(close(a, b) for a, b in zip(have, want)) and close(got.get("total_weight"), whole.total_weight) \
                    and got.get("num_hashes") == nh and got.get("num_buckets") == nb and got.get("seed") == whole.seed
                R.check(group, ok, where, f"describe --item {q!r}: (estimate, lower, upper) {have} != python {want}"
                        f" or total_weight {got.get('total_weight')} != {whole.total_weight}", f"$ {rd.cmd}")
            # merge both ways
            merged_out = base + ".merged-py-parts.vigil.bin"
            rm = vigil.run("sketch", "merge", "--out", merged_out, *[f"{base}.part{pi}.py.bin" for pi in range(3)])
            pm = count_min_sketch.deserialize(read(f"{base}.part0.py.bin"))
            pm.merge(count_min_sketch.deserialize(read(f"{base}.part1.py.bin")))
            pm.merge(count_min_sketch.deserialize(read(f"{base}.part2.py.bin")))
            if ran_ok(group, where, rm, "merge of python part images"):
                got = read(merged_out)
                R.check(group, got == pm.serialize(), where, "vigil merge of python parts differs from python merge",
                        f"{first_diff(got, pm.serialize())}\n     $ {rm.cmd}")
            vparts = []
            for pi, f in enumerate(f_parts):
                rp = f.result()
                if ran_ok(group, where, rp, f"build part {pi}"):
                    vparts.append(read(f"{base}.part{pi}.vigil.bin"))
            if len(vparts) == 3:
                try:
                    vm = count_min_sketch.deserialize(vparts[0])
                    vm.merge(count_min_sketch.deserialize(vparts[1]))
                    vm.merge(count_min_sketch.deserialize(vparts[2]))
                    R.check(group, vm.serialize() == pm.serialize(), where, "python merge of vigil part images differs from python merge of its own",
                            first_diff(vm.serialize(), pm.serialize()))
                except Exception as e:  # noqa: BLE001
                    R.check(group, False, where, f"python cannot deserialize/merge vigil part images: {e}")
        except Exception as e:  # noqa: BLE001
            R.error(group, where, e)


# ---------------------------------------------------------------------------------------------
# Frequent strings


def fi_values(sketch, item):
    return sketch.get_estimate(item), sketch.get_lower_bound(item), sketch.get_upper_bound(item)


def fi_max_error(sketch):
    # DataSketches: upper bound of an absent item = the sketch's maximum error (offset)
    return sketch.get_upper_bound("\x00absent\x00") - sketch.get_lower_bound("\x00absent\x00")


def run_fi(vigil, rng, nprng, work):
    group = "fi"
    d = os.path.join(work, "fi")
    os.makedirs(d)
    cases = []
    lgs = [3, 12] + [rng.randint(3, 12) for _ in range(10)]
    for j, lg in enumerate(lgs):
        weights = ["none", "small", "large"][j % 3]
        n = 0 if j == 0 else (10**5 * 2 if j == 1 else int(10 ** rng.uniform(1, 5.2)))
        cases.append((lg, weights, n, rng.uniform(1.1, 2.0), rng.randint(10, 5000)))
    bytes_equal = [0, 0]
    merged_equal = [0, 0]
    purged = 0
    for ci, (lg, weights, n, a, vsize) in enumerate(cases, 1):
        where = f"case {ci}: lg_max_map={lg} weights={weights} n={n} zipf={a:.2f} vocab={vsize}"
        base = os.path.join(d, f"c{ci:02d}")
        R.case(group)
        try:
            vocab = vocabulary(rng, vsize, tab=(weights != "none"), cr=True)
            idx = (nprng.zipf(a, size=n) - 1) % vsize if n else []
            items = [vocab[i] for i in idx]
            if weights == "none":
                ws = [1] * n
            elif weights == "small":
                ws = nprng.integers(1, 100, size=n).tolist()
            else:
                ws = nprng.integers(1, 10**12, size=n).tolist()
            lines = [it if weights == "none" else f"{it}\t{w}" for it, w in zip(items, ws)]
            if n > 10 and ci % 2:
                for i in rng.sample(range(n), 3):  # empty lines: skipped by vigil (Python side skips them too)
                    lines[i] = "" if weights == "none" else lines[i]
            pairs = [(it, w) for it, w, line in zip(items, ws, lines) if line]
            true = {}
            for it, w in pairs:
                true[it] = true.get(it, 0) + w
            total = sum(true.values())
            write_lines(base + ".txt", lines, trailing_newline=bool(ci % 2))
            f_all = vigil.submit("sketch", "build", "--type", "fi", "--lg-max-map", lg, "--input", base + ".txt", "--out", base + ".vigil.bin")
            cuts = [0, len(pairs) // 3, 2 * len(pairs) // 3, len(pairs)]
            part_lgs = [lg, lg, rng.randint(3, 12)]
            f_parts = []
            for pi in range(3):
                chunk = pairs[cuts[pi]:cuts[pi + 1]]
                write_lines(f"{base}.part{pi}.txt", [it if weights == "none" else f"{it}\t{w}" for it, w in chunk])
                f_parts.append(vigil.submit("sketch", "build", "--type", "fi", "--lg-max-map", part_lgs[pi],
                                            "--input", f"{base}.part{pi}.txt", "--out", f"{base}.part{pi}.vigil.bin"))
            py = frequent_strings_sketch(lg)
            for it, w in pairs:
                py.update(it, w)
            py_img = py.serialize()
            write(base + ".py.bin", py_img)
            pparts = []
            for pi in range(3):
                s = frequent_strings_sketch(part_lgs[pi])
                for it, w in pairs[cuts[pi]:cuts[pi + 1]]:
                    s.update(it, w)
                write(f"{base}.part{pi}.py.bin", s.serialize())
                pparts.append(s)
            r = f_all.result()
            if not ran_ok(group, where, r, "build"):
                continue
            v_img = read(base + ".vigil.bin")
            bytes_equal[0 if v_img == py_img else 1] += 1
            purged += fi_max_error(py) > 0
            if v_img != py_img:
                print(f"note fi [{where}]: vigil image differs from python's ({first_diff(v_img, py_img)}); not required", flush=True)
            try:
                pv = frequent_strings_sketch.deserialize(v_img)
            except Exception as e:  # noqa: BLE001
                R.check(group, False, where, f"python cannot deserialize vigil's image: {e}")
                continue
            R.check(group, pv.total_weight == total and pv.num_active_items == py.num_active_items, where,
                    f"python reading vigil image: total_weight {pv.total_weight} (true {total}), "
                    f"active items {pv.num_active_items} (python-built {py.num_active_items})")
            heavy = sorted(true, key=true.get, reverse=True)
            queries = heavy[:6] + rng.sample(heavy, min(3, len(heavy))) + [e for e in EQUIVALENT[:4] if e not in heavy[:6]] + ["never-seen-✗"]
            err = max(fi_max_error(pv), fi_max_error(py))
            for q in queries:
                ev, lv, uv = fi_values(pv, q)
                ep, lp, up = fi_values(py, q)
                t = true.get(q, 0)
                R.check(group, abs(ev - ep) <= err and lv <= t <= uv, where,
                        f"item {q!r}: vigil image (est {ev}, [{lv}, {uv}]) vs python (est {ep}, [{lp}, {up}]), "
                        f"max error {err}, true {t}")
            # vigil reads its own and Python's image: describe == Python's view of the same bytes
            futs = []
            for label, path, sk in (("vigil", base + ".vigil.bin", pv), ("python", base + ".py.bin", py)):
                futs.append((label, None, sk, vigil.submit("sketch", "describe", "--json", path)))
                for q in queries[:5] + queries[-1:]:
                    futs.append((label, q, sk, vigil.submit("sketch", "describe", "--json", *item_args(q), path)))
            for label, q, sk, f in futs:
                rd = f.result()
                if not ran_ok(group, where, rd, f"describe {label} image"):
                    continue
                got = rd.json()
                if q is None:
                    want = {"type": "fi", "lg_max_map_size": None, "empty": sk.is_empty(), "total_weight": sk.total_weight,
                            "num_active_items": sk.num_active_items, "maximum_error": fi_max_error(sk)}
                    have = {k: got.get(k) for k in want}
                    want["lg_max_map_size"] = have["lg_max_map_size"] if label == "vigil" else lg
                    if label == "vigil":
                        R.check(group, have["lg_max_map_size"] == lg, where, f"describe of vigil image: lg_max_map_size {have['lg_max_map_size']} != {lg}")
                    R.check(group, have == want, where, f"describe of {label} image: {have} != python {want}", f"$ {rd.cmd}")
                else:
                    have = (got.get("item_estimate"), got.get("item_lower_bound"), got.get("item_upper_bound"))
                    want = fi_values(sk, q)
                    R.check(group, have == want, where, f"describe --item {q!r} of {label} image: {have} != python on same image {want}", f"$ {rd.cmd}")
            # merges, both ways; true counts within bounds
            merged_out = base + ".merged-py-parts.vigil.bin"
            rm = vigil.run("sketch", "merge", "--out", merged_out, *[f"{base}.part{pi}.py.bin" for pi in range(3)])
            # the reference reads the same images vigil merges (a deserialized map is laid out anew)
            pm = frequent_strings_sketch.deserialize(read(f"{base}.part0.py.bin"))
            pm.merge(frequent_strings_sketch.deserialize(read(f"{base}.part1.py.bin")))
            pm.merge(frequent_strings_sketch.deserialize(read(f"{base}.part2.py.bin")))
            if ran_ok(group, where, rm, "merge of python part images"):
                vm_img = read(merged_out)
                merged_equal[0 if vm_img == pm.serialize() else 1] += 1
                vm = frequent_strings_sketch.deserialize(vm_img)
                bad = [(q, true.get(q, 0), fi_values(vm, q)) for q in queries if not (vm.get_lower_bound(q) <= true.get(q, 0) <= vm.get_upper_bound(q))]
                R.check(group, vm.total_weight == total and not bad, where,
                        f"vigil merge of python parts: total {vm.total_weight} (true {total}); true counts outside bounds: {bad[:3]}", f"$ {rm.cmd}")
                rq = vigil.run("sketch", "describe", "--json", *item_args(queries[0]), merged_out)
                if ran_ok(group, where, rq, "describe merged"):
                    g = rq.json()
                    R.check(group, g.get("item_lower_bound", 1) <= true.get(queries[0], 0) <= g.get("item_upper_bound", -1)
                            and g.get("total_weight") == total, where, f"describe of merged image: {g} (true {true.get(queries[0], 0)}, total {total})")
            vparts = []
            for pi, f in enumerate(f_parts):
                rp = f.result()
                if ran_ok(group, where, rp, f"build part {pi}"):
                    vparts.append(read(f"{base}.part{pi}.vigil.bin"))
            if len(vparts) == 3:
                try:
                    xm = frequent_strings_sketch.deserialize(vparts[0])
                    xm.merge(frequent_strings_sketch.deserialize(vparts[1]))
                    xm.merge(frequent_strings_sketch.deserialize(vparts[2]))
                    bad = [(q, true.get(q, 0), fi_values(xm, q)) for q in queries if not (xm.get_lower_bound(q) <= true.get(q, 0) <= xm.get_upper_bound(q))]
                    R.check(group, xm.total_weight == total and not bad, where,
                            f"python merge of vigil parts: total {xm.total_weight} (true {total}); true counts outside bounds: {bad[:3]}")
                except Exception as e:  # noqa: BLE001
                    R.check(group, False, where, f"python cannot deserialize/merge vigil part images: {e}")
        except Exception as e:  # noqa: BLE001
            R.error(group, where, e)
    R.note(group, f"images byte-equal to python's: {bytes_equal[0]}/{sum(bytes_equal)}; "
                  f"merged images byte-equal: {merged_equal[0]}/{sum(merged_equal)} (informational); "
                  f"{purged} stream(s) purged (maximum error > 0)")


# ---------------------------------------------------------------------------------------------
# KLL

RANKS = [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0]


def kll_tolerance(k):
    return 2.5 * 2.296 / k ** 0.9723


def kll_data(nprng, dist, n):
    if dist == "uniform":
        x = nprng.random(n)
    elif dist == "normal":
        x = nprng.standard_normal(n) * 1e3
    elif dist == "sorted":
        x = np.sort(nprng.standard_normal(n))
    elif dist == "reversed":
        x = np.sort(nprng.random(n) * 1e6)[::-1]
    elif dist == "duplicates":
        x = nprng.integers(0, 7, size=n).astype(np.float64) * 0.5
    elif dist == "lognormal":
        x = nprng.lognormal(0, 4, n)
    elif dist == "special":
        x = nprng.standard_normal(n)
        specials = [np.nan, np.inf, -np.inf, 0.0, -0.0, 3.4028234663852886e38, 1.401298464324817e-45]
        for i in range(min(n, 40)):
            x[nprng.integers(0, n)] = specials[i % len(specials)]
    else:
        raise ValueError(dist)
    return np.ascontiguousarray(x, dtype=np.float32)


def true_rank_range(sorted_data, q):
    n = len(sorted_data)
    return np.searchsorted(sorted_data, q, "left") / n, np.searchsorted(sorted_data, q, "right") / n


def run_kll(vigil, rng, nprng, work):
    group = "kll"
    d = os.path.join(work, "kll")
    os.makedirs(d)
    dists = ["uniform", "normal", "sorted", "reversed", "duplicates", "lognormal", "special"]
    cases = [("uniform", 8, 0), ("normal", 200, 1), ("sorted", 8, 7), ("duplicates", 200, 200), ("reversed", 1000, 1001),
             ("uniform", 200, 10**6), ("special", 100, 5000)]
    for j in range(7):
        cases.append((dists[j % len(dists)], rng.choice([8, 9, 16, 50, 100, 200, 333, 500, 1000, rng.randint(8, 1000)]),
                      int(10 ** rng.uniform(2, 5.3))))
    for ci, (dist, k, n) in enumerate(cases, 1):
        where = f"case {ci}: dist={dist} k={k} n={n}"
        base = os.path.join(d, f"c{ci:02d}")
        R.case(group)
        try:
            data = kll_data(nprng, dist, n)
            text = [repr(v) for v in data.astype(np.float64).tolist()]
            write_lines(base + ".txt", text, trailing_newline=bool(ci % 2))
            f_all = vigil.submit("sketch", "build", "--type", "kll", "--k", k, "--input", base + ".txt", "--out", base + ".vigil.bin")
            k2 = rng.choice([k, k, rng.randint(8, 1000)])
            part_ks = [k, k, k2]
            cuts = [0, n // 3, 2 * n // 3, n]
            f_parts = []
            for pi in range(3):
                write_lines(f"{base}.part{pi}.txt", text[cuts[pi]:cuts[pi + 1]])
                f_parts.append(vigil.submit("sketch", "build", "--type", "kll", "--k", part_ks[pi],
                                            "--input", f"{base}.part{pi}.txt", "--out", f"{base}.part{pi}.vigil.bin"))
            py = kll_floats_sketch(k)
            py.update(data)
            py_img = py.serialize()
            write(base + ".py.bin", py_img)
            pparts = []
            for pi in range(3):
                s = kll_floats_sketch(part_ks[pi])
                s.update(data[cuts[pi]:cuts[pi + 1]])
                write(f"{base}.part{pi}.py.bin", s.serialize())
                pparts.append(s)
            clean = np.sort(data[~np.isnan(data)])
            true_n = len(clean)
            tol = kll_tolerance(k)
            r = f_all.result()
            if not ran_ok(group, where, r, "build"):
                continue
            v_img = read(base + ".vigil.bin")
            try:
                pv = kll_floats_sketch.deserialize(v_img)
            except Exception as e:  # noqa: BLE001
                R.check(group, False, where, f"python cannot deserialize vigil's image: {e}")
                continue
            ok = pv.n == true_n and pv.k == k and (true_n == 0 or (pv.get_min_value() == float(clean[0]) and pv.get_max_value() == float(clean[-1])))
            R.check(group, ok, where, f"python reading vigil image: n={pv.n} (true {true_n}), k={pv.k}, "
                    f"min/max {(pv.get_min_value(), pv.get_max_value()) if true_n else None} (true {(clean[0], clean[-1]) if true_n else None})")
            if not py.is_estimation_mode():
                R.check(group, v_img == py_img, where, "exact-mode image differs from python serialize()", first_diff(v_img, py_img))
            # describe both images; quantiles = Python's on the same image; ranks within tolerance of truth
            futs = []
            for label, path, sk in (("vigil", base + ".vigil.bin", pv), ("python", base + ".py.bin", py)):
                futs.append((label, None, sk, vigil.submit("sketch", "describe", "--json", path)))
                if true_n:
                    for rank in RANKS:
                        futs.append((label, rank, sk, vigil.submit("sketch", "describe", "--json", "--rank", repr(rank), path)))
            for label, rank, sk, f in futs:
                rd = f.result()
                if not ran_ok(group, where, rd, f"describe {label} image" + (f" --rank {rank}" if rank is not None else "")):
                    continue
                got = rd.json()
                if rank is None:
                    want = {"type": "kll", "k": sk.k, "empty": sk.is_empty(), "n": sk.n, "num_retained": sk.num_retained,
                            "estimation_mode": sk.is_estimation_mode(),
                            "min": None if sk.is_empty() else sk.get_min_value(), "max": None if sk.is_empty() else sk.get_max_value()}
                    have = {key: got.get(key) for key in want}
                    ok = all(json_float_eq(have[key], want[key]) if key in ("min", "max") else have[key] == want[key] for key in want)
                    R.check(group, ok, where, f"describe of {label} image: {have} != python {want}", f"$ {rd.cmd}")
                    continue
                q = got.get("quantile")
                want = sk.get_quantile(rank, True)
                ok = json_float_eq(q, want)
                q = want if ok and q is None else q
                R.check(group, ok, where, f"{label} image: describe --rank {rank} gives {q!r}, python get_quantile(inclusive=True) "
                        f"{want!r} (exclusive would be {sk.get_quantile(rank, False)!r})", f"$ {rd.cmd}")
                if q is not None:
                    lo, hi = true_rank_range(clean, np.float32(q))
                    R.check(group, lo - tol <= rank <= hi + tol, where,
                            f"{label}-built sketch: quantile {q!r} at rank {rank} has true rank [{lo:.5f}, {hi:.5f}], tolerance {tol:.5f}")
            # merges both ways
            mk = min(part_ks)
            mtol = kll_tolerance(mk)
            merged_out = base + ".merged-py-parts.vigil.bin"
            rm = vigil.run("sketch", "merge", "--out", merged_out, *[f"{base}.part{pi}.py.bin" for pi in range(3)])
            if ran_ok(group, where, rm, "merge of python part images"):
                try:
                    vm = kll_floats_sketch.deserialize(read(merged_out))
                    R.check(group, vm.n == true_n, where, f"vigil merge of python parts: n {vm.n} != {true_n}", f"$ {rm.cmd}")
                    if true_n:
                        rq = [(rank, vigil.submit("sketch", "describe", "--json", "--rank", repr(rank), merged_out)) for rank in (0.0, 0.1, 0.5, 0.9, 1.0)]
                        for rank, f in rq:
                            g = f.result()
                            if not ran_ok(group, where, g, f"describe merged --rank {rank}"):
                                continue
                            q = g.json().get("quantile")
                            same = json_float_eq(q, vm.get_quantile(rank, True))
                            q = vm.get_quantile(rank, True) if same and q is None else q
                            lo, hi = true_rank_range(clean, np.float32(q)) if q is not None else (2, 2)
                            R.check(group, same and lo - mtol <= rank <= hi + mtol, where,
                                    f"vigil merge of python parts: rank {rank} quantile {q!r} (python on same image {vm.get_quantile(rank, True)!r}), "
                                    f"true rank [{lo:.5f}, {hi:.5f}], tolerance {mtol:.5f}")
                except Exception as e:  # noqa: BLE001
                    R.check(group, False, where, f"python cannot read vigil's merged image: {e}")
            vparts = []
            for pi, f in enumerate(f_parts):
                rp = f.result()
                if ran_ok(group, where, rp, f"build part {pi}"):
                    vparts.append(read(f"{base}.part{pi}.vigil.bin"))
            if len(vparts) == 3:
                try:
                    xm = kll_floats_sketch.deserialize(vparts[0])
                    xm.merge(kll_floats_sketch.deserialize(vparts[1]))
                    xm.merge(kll_floats_sketch.deserialize(vparts[2]))
                    bad = []
                    if true_n:
                        for rank in (0.0, 0.1, 0.5, 0.9, 1.0):
                            q = xm.get_quantile(rank, True)
                            lo, hi = true_rank_range(clean, np.float32(q))
                            if not lo - mtol <= rank <= hi + mtol:
                                bad.append((rank, q, lo, hi))
                    R.check(group, xm.n == true_n and not bad, where,
                            f"python merge of vigil parts: n {xm.n} (true {true_n}); ranks outside tolerance {mtol:.5f}: {bad}")
                except Exception as e:  # noqa: BLE001
                    R.check(group, False, where, f"python cannot deserialize/merge vigil part images: {e}")
        except Exception as e:  # noqa: BLE001
            R.error(group, where, e)
    if NULL_FOR_NONFINITE[0]:
        R.note(group, f"{NULL_FOR_NONFINITE[0]} ±inf values (min/max/quantile) came back as JSON null, accepted: "
                      "describe --json writes non-finite numbers as null")


# ---------------------------------------------------------------------------------------------
# CLI errors


def is_crash(run):
    text = run.err
    return (run.rc < 0 or run.rc >= 128 or "Fatal error" in text or "Stack dump" in text
            or "Illegal instruction" in text or "Segmentation fault" in text or "Current stack trace" in text)


def run_cli(vigil, rng, work):
    group = "cli"
    d = os.path.join(work, "cli")
    os.makedirs(d)
    j = lambda name: os.path.join(d, name)  # noqa: E731
    # a valid image of each type
    write_lines(j("words.txt"), [f"w{i % 97}" for i in range(5000)])
    write_lines(j("nums.txt"), [repr(float(i) * 0.37) for i in range(5000)])
    write_lines(j("big-int.txt"), ["1", "9223372036854775808", "2"])
    write_lines(j("bad-double.txt"), ["1.5", "abc", "2"])
    write_lines(j("bad-weight.txt"), ["a\t1", "b\tzero", "c\t2"])
    good = {}
    for kind, extra, inp in (("hll", ["--lgk", "10"], "words.txt"), ("cms", [], "words.txt"), ("fi", [], "words.txt"), ("kll", [], "nums.txt")):
        r = vigil.run("sketch", "build", "--type", kind, *extra, "--input", j(inp), "--out", j(f"{kind}.bin"))
        if ran_ok(group, f"setup {kind}", r, "build"):
            good[kind] = read(j(f"{kind}.bin"))
    write(j("cms-other.bin"), count_min_sketch(2, 100).serialize())
    cases = [
        ("bad flag", ["sketch", "build", "--type", "hll", "--bogus", "--out", j("x.bin")]),
        ("bad flag on describe", ["sketch", "describe", "--jsno", j("hll.bin")]),
        ("unknown --type", ["sketch", "build", "--type", "bloom", "--out", j("x.bin")]),
        ("--lgk out of range", ["sketch", "build", "--type", "hll", "--lgk", "22", "--input", j("words.txt"), "--out", j("x.bin")]),
        ("--lgk not a number", ["sketch", "build", "--type", "hll", "--lgk", "twelve", "--out", j("x.bin")]),
        ("--target HLL_5", ["sketch", "build", "--type", "hll", "--target", "HLL_5", "--out", j("x.bin")]),
        ("--format bogus", ["sketch", "build", "--type", "hll", "--format", "sparse", "--out", j("x.bin")]),
        ("missing --out", ["sketch", "build", "--type", "hll", "--input", j("words.txt")]),
        ("--rank out of range", ["sketch", "describe", "--rank", "1.5", j("kll.bin")]),
        ("--rank on an hll image", ["sketch", "describe", "--rank", "0.5", j("hll.bin")]),
        ("unknown subcommand", ["sketch", "frobnicate"]),
        ("--numeric int with 2^63", ["sketch", "build", "--type", "hll", "--numeric", "int", "--input", j("big-int.txt"), "--out", j("x.bin")]),
        ("--numeric double with 'abc'", ["sketch", "build", "--type", "hll", "--numeric", "double", "--input", j("bad-double.txt"), "--out", j("x.bin")]),
        ("fi weight not an integer", ["sketch", "build", "--type", "fi", "--input", j("bad-weight.txt"), "--out", j("x.bin")]),
        ("unreadable input file", ["sketch", "build", "--type", "hll", "--input", j("no-such-file.txt"), "--out", j("x.bin")]),
        ("unreadable image", ["sketch", "describe", "--json", j("no-such-image.bin")]),
        ("directory as image", ["sketch", "describe", d]),
        ("merge with a missing file", ["sketch", "merge", "--out", j("x.bin"), j("hll.bin"), j("no-such-image.bin")]),
        ("output in a missing directory", ["sketch", "build", "--type", "hll", "--input", j("words.txt"), "--out", j("no/such/dir/x.bin")]),
        ("merge hll with kll", ["sketch", "merge", "--out", j("x.bin"), j("hll.bin"), j("kll.bin")]),
        ("merge count-min of different shapes", ["sketch", "merge", "--out", j("x.bin"), j("cms.bin"), j("cms-other.bin")]),
    ]
    write(j("empty.bin"), b"")
    cases.append(("empty image", ["sketch", "describe", j("empty.bin")]))
    for kind, img in good.items():
        for label, data in (("truncated to half", img[: len(img) // 2]), ("truncated to 5 bytes", img[:5]),
                            ("truncated by 1 byte", img[:-1]),
                            ("family byte 0xEE", img[:2] + b"\xee" + img[3:]),
                            ("family byte of another sketch", img[:2] + bytes([{"hll": 15, "cms": 7, "fi": 18, "kll": 10}[kind]]) + img[3:])):
            name = f"{kind}-{label.replace(' ', '-')}.bin"
            write(j(name), data)
            cases.append((f"{kind} image {label}", ["sketch", "describe", "--json", j(name)]))
        cases.append((f"{kind} merge with a corrupt image", ["sketch", "merge", "--out", j("x.bin"), j(f"{kind}.bin"), j(f"{kind}-truncated-to-half.bin")]))
    # `--option=VALUE` must work whatever VALUE starts with, e.g. a combining mark or a ZWJ
    for value in ("\u0301x", "\u200dy", "plain"):
        sep = vigil.run("sketch", "describe", "--json", "--item", value, j("cms.bin"))
        joined = vigil.run("sketch", "describe", "--json", f"--item={value}", j("cms.bin"))
        R.case(group)
        R.check(group, sep.rc == 0 and joined.rc == 0 and sep.out == joined.out, f"--item={ascii(value)}",
                f"'--item='{ascii(value)} gives exit {joined.rc} (stderr {ascii(joined.err.strip())}); '--item' {ascii(value)} gives exit {sep.rc}",
                f"$ {joined.cmd}")
    futs = [(label, vigil.submit(*argv)) for label, argv in cases]
    for label, f in futs:
        r = f.result()
        R.case(group)
        lines = r.err.rstrip("\n").split("\n") if r.err.strip() else []
        problems = []
        if r.rc == 0:
            problems.append("exit status 0")
        if is_crash(r):
            problems.append(f"crashed (exit {r.rc})")
        if len(lines) != 1:
            problems.append(f"{len(lines)} stderr lines, want exactly 1")
        R.check(group, not problems, label, ", ".join(problems), f"$ {r.cmd}\n     stderr: {r.err.strip()!r}"[:600])
    # random damage: vigil must never crash on a corrupted image (a clean error or a valid reading)
    fuzz = []
    for kind, img in good.items():
        for t in range(25):
            b = bytearray(img)
            how = t % 3
            if how == 0:
                b = b[: rng.randrange(len(b))]
            elif how == 1:
                for _ in range(rng.randint(1, 4)):
                    b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
            else:
                b[rng.randrange(min(len(b), 32))] = rng.randrange(256)
            name = j(f"fuzz-{kind}-{t}.bin")
            write(name, bytes(b))
            fuzz.append((f"{kind} random damage #{t}", vigil.submit("sketch", "describe", "--json", name)))
            if t % 5 == 0:
                fuzz.append((f"{kind} merge with random damage #{t}", vigil.submit("sketch", "merge", "--out", j("y.bin"), j(f"{kind}.bin"), name)))
    crashes = 0
    for label, f in fuzz:
        r = f.result()
        R.case(group)
        bad = is_crash(r) or (r.rc != 0 and not r.err.strip())
        crashes += bad
        R.check(group, not bad, label, f"crash or silent failure (exit {r.rc})", f"$ {r.cmd}\n     stderr: {r.err.strip()[:300]!r}")
    R.note(group, f"{len(fuzz)} randomly damaged images: {crashes} crash(es)")


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--vigil", default=os.environ.get("VIGIL_BIN") or os.path.join(root, ".build", "release", "vigil"))
    parser.add_argument("--groups", default=",".join(GROUPS), help="comma-separated subset of " + ",".join(GROUPS))
    parser.add_argument("--keep", action="store_true", default=os.environ.get("VIGIL_INTEROP_KEEP") == "1")
    args = parser.parse_args()
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    unknown = set(groups) - set(GROUPS)
    if unknown:
        parser.error(f"unknown group(s): {', '.join(sorted(unknown))}")
    seed_text = os.environ.get("VIGIL_INTEROP_SEED", str(DEFAULT_SEED))
    try:
        seed = int(seed_text)
    except ValueError:
        print(f"VIGIL_INTEROP_SEED must be an integer, got {seed_text!r}", file=sys.stderr)
        return 2
    print(f"stats interop: seed {seed} (reproduce with VIGIL_INTEROP_SEED={seed})", flush=True)
    version = importlib.metadata.version("datasketches")
    if version != DATASKETCHES_VERSION:
        print(f"datasketches {version} is installed; this check needs {DATASKETCHES_VERSION}", file=sys.stderr)
        return 2
    vigil_path = os.path.abspath(args.vigil)
    if not os.access(vigil_path, os.X_OK):
        print(f"no vigil executable at {vigil_path} (build it, or pass --vigil / set VIGIL_BIN)", file=sys.stderr)
        return 2
    print(f"vigil: {vigil_path}; datasketches {version}; numpy {np.__version__}; python {sys.version.split()[0]}", flush=True)
    work = tempfile.mkdtemp(prefix="vigil-interop-")
    vigil = Vigil(vigil_path)
    started = time.monotonic()
    timings = {}
    images = []
    # every group gets its own random streams derived from the seed, so a subset reproduces
    streams = {g: (random.Random(f"{seed}/{g}"), np.random.default_rng([seed, i])) for i, g in enumerate(GROUPS)}
    for g in groups:
        t0 = time.monotonic()
        rng, nprng = streams[g]
        try:
            if g == "hll":
                images = run_hll(vigil, rng, nprng, work)
            elif g == "hll-merge":
                if "hll" not in groups:
                    images = run_hll(vigil, *streams["hll"], work)  # the merges use the hll group's images
                run_hll_merge(vigil, rng, images, work)
            elif g == "cms":
                run_cms(vigil, rng, nprng, work)
            elif g == "fi":
                run_fi(vigil, rng, nprng, work)
            elif g == "kll":
                run_kll(vigil, rng, nprng, work)
            elif g == "cli":
                run_cli(vigil, rng, work)
        except Exception as e:  # noqa: BLE001
            R.error(g, "group", e)
        timings[g] = time.monotonic() - t0
        passed, failed, cases = R.counts.get(g, [0, 0, 0])
        print(f"{g}: {cases} cases, {passed} checks passed, {failed} failed ({timings[g]:.1f}s)", flush=True)
        for note in R.notes.get(g, []):
            print(f"  {g}: {note}", flush=True)
    vigil.pool.shutdown()
    total_passed = sum(c[0] for c in R.counts.values())
    total_failed = sum(c[1] for c in R.counts.values())
    print(f"total time {time.monotonic() - started:.1f}s", flush=True)
    if total_failed or args.keep:
        print(f"inputs and images kept in {work} (seed {seed})", flush=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{total_passed} passed, {total_failed} failed", flush=True)
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
