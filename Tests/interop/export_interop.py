#!/usr/bin/env python3
"""Export interop check: vigil's differential-privacy noise against OpenDP 0.16.0.

Usage:
    export_interop.py --vigil PATH

Groups:
- scale:    for (sensitivity, epsilon) pairs, OpenDP's `binary_search_param` over `make_geometric`
            on integers finds the discrete Laplace scale for epsilon; `vigil export --print-mechanism`
            must report the same scale (1e-6 relative), and OpenDP's privacy map of vigil's scale must
            give back epsilon (vigil is not less private than claimed).
- samples:  vigil's seeded samples and OpenDP's samples at the same scale: both variances must match
            the exact 2a/(1-a)^2, and a two-sample chi-square homogeneity test must not reject.
- gaussian: the same variance and homogeneity checks for vigil's discrete Gaussian against
            OpenDP's `make_gaussian` on integers at vigil's sigma.

Prints one line per group and ends with exactly one line `N passed, M failed`.
Exit status 1 if anything failed, 2 if the environment is wrong.
"""
import argparse
import importlib.metadata
import json
import math
import os
import subprocess
import sys
from collections import Counter

OPENDP_VERSION = "0.16.0"
DEFAULT_SEED = 20251125
SAMPLES = 200_000
SCALE_PAIRS = [(1, "1"), (1, "0.5"), (3, "0.5"), (8, "0.111111"), (40, "1"), (10, "2.5"), (2, "0.1"), (5, "0.333333")]
SAMPLE_PAIRS = [(1, "1"), (3, "0.5"), (8, "0.111111")]
GAUSSIAN_CASES = [(1, "0.5", "1e-6"), (4, "0.9", "1e-5")]


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.group_counts = {}

    def check(self, group, ok, what):
        counts = self.group_counts.setdefault(group, [0, 0])
        if ok:
            self.passed += 1
            counts[0] += 1
        else:
            self.failed += 1
            counts[1] += 1
            print(f"FAIL {group}: {what}", flush=True)
        return ok


def vigil_mechanism(vigil, *arguments):
    result = subprocess.run([vigil, "export", "--print-mechanism", *arguments], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"vigil export --print-mechanism {' '.join(arguments)}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def chi2_quantile_999(df):
    """Wilson-Hilferty approximation of the 0.999 quantile of chi-square with df degrees."""
    z = 3.090232
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def homogeneity(a, b):
    """Two-sample chi-square over the values with at least 20 draws in both samples together;
    rarer values are pooled into one tail bin. Returns (statistic, df)."""
    ca, cb = Counter(a), Counter(b)
    na, nb = len(a), len(b)
    bins, tail_a, tail_b = [], 0, 0
    for value in sorted(set(ca) | set(cb)):
        if ca[value] + cb[value] >= 20:
            bins.append((ca[value], cb[value]))
        else:
            tail_a += ca[value]
            tail_b += cb[value]
    if tail_a + tail_b > 0:
        bins.append((tail_a, tail_b))
    stat = 0.0
    for x, y in bins:
        total = x + y
        ex, ey = total * na / (na + nb), total * nb / (na + nb)
        stat += (x - ex) ** 2 / ex + (y - ey) ** 2 / ey
    return stat, len(bins) - 1


def variance(values):
    n = len(values)
    mean = sum(values) / n
    return sum((v - mean) ** 2 for v in values) / n


def run_scale(dp, vigil, report):
    space = (dp.atom_domain(T=int), dp.absolute_distance(T=int))
    for sensitivity, epsilon in SCALE_PAIRS:
        eps = float(epsilon)
        opendp_scale = dp.binary_search_param(lambda s: dp.m.make_geometric(*space, scale=s), d_in=sensitivity, d_out=eps)
        ours = vigil_mechanism(vigil, "--sensitivity", str(sensitivity), "--epsilon", epsilon)
        where = f"sensitivity {sensitivity}, epsilon {epsilon}"
        report.check("scale", abs(ours["scale"] - opendp_scale) <= 1e-6 * opendp_scale,
                     f"{where}: vigil scale {ours['scale']}, OpenDP {opendp_scale}")
        loss = dp.m.make_geometric(*space, scale=ours["scale"]).map(d_in=sensitivity)
        report.check("scale", loss <= eps * (1 + 1e-9), f"{where}: OpenDP's privacy map of vigil's scale is {loss} > {eps}")
        exact = ours["scale_numerator"] / ours["scale_denominator"]
        report.check("scale", abs(exact - sensitivity / eps) <= 1e-9 * exact, f"{where}: exact scale {exact} is not sensitivity/epsilon")


def run_samples(dp, vigil, report, seed):
    for index, (sensitivity, epsilon) in enumerate(SAMPLE_PAIRS):
        ours = vigil_mechanism(vigil, "--sensitivity", str(sensitivity), "--epsilon", epsilon,
                               "--samples", str(SAMPLES), "--seed", str(seed + index))
        scale = ours["scale"]
        alpha = math.exp(-1 / scale)
        exact = 2 * alpha / (1 - alpha) ** 2
        meas = dp.m.make_geometric(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=scale)
        theirs = meas([0] * SAMPLES)
        where = f"scale {scale:g}"
        # Var(s^2) ~ (kurtosis - 1) sigma^4 / n with kurtosis <= 6 for a (discrete) Laplace.
        tolerance = 5 * math.sqrt(5 / SAMPLES)
        v_ours, v_theirs = variance(ours["samples"]), variance(theirs)
        report.check("samples", abs(v_ours / exact - 1) <= tolerance, f"{where}: vigil variance {v_ours:.4f}, exact {exact:.4f}")
        report.check("samples", abs(v_theirs / exact - 1) <= tolerance, f"{where}: OpenDP variance {v_theirs:.4f}, exact {exact:.4f}")
        stat, df = homogeneity(ours["samples"], theirs)
        report.check("samples", stat <= chi2_quantile_999(df), f"{where}: chi-square {stat:.1f} over {df} df rejects vigil == OpenDP")
        print(f"  samples: scale {scale:g}: variance vigil {v_ours:.3f}, OpenDP {v_theirs:.3f}, exact {exact:.3f}; "
              f"chi-square {stat:.1f} (df {df}, 0.999 quantile {chi2_quantile_999(df):.1f})", flush=True)


def run_gaussian(dp, vigil, report, seed):
    for index, (sensitivity, epsilon, delta) in enumerate(GAUSSIAN_CASES):
        ours = vigil_mechanism(vigil, "--noise", "gaussian", "--sensitivity", str(sensitivity), "--epsilon", epsilon,
                               "--delta", delta, "--samples", str(SAMPLES), "--seed", str(seed + 100 + index))
        sigma = ours["sigma"]
        classic = sensitivity * math.sqrt(2 * math.log(1.25 / float(delta))) / float(epsilon)
        where = f"sensitivity {sensitivity}, epsilon {epsilon}, delta {delta}"
        report.check("gaussian", sigma >= classic and sigma - classic <= 1e-5 * classic + 1e-6,
                     f"{where}: sigma {sigma}, classic {classic}")
        meas = dp.m.make_gaussian(dp.vector_domain(dp.atom_domain(T=int)), dp.l2_distance(T=int), scale=sigma)
        theirs = meas([0] * SAMPLES)
        tolerance = 5 * math.sqrt(2 / SAMPLES)
        v_ours, v_theirs = variance(ours["samples"]), variance(theirs)
        report.check("gaussian", abs(v_ours / sigma ** 2 - 1) <= tolerance, f"{where}: vigil variance {v_ours:.3f}, sigma^2 {sigma ** 2:.3f}")
        report.check("gaussian", abs(v_theirs / sigma ** 2 - 1) <= tolerance, f"{where}: OpenDP variance {v_theirs:.3f}, sigma^2 {sigma ** 2:.3f}")
        stat, df = homogeneity(ours["samples"], theirs)
        report.check("gaussian", stat <= chi2_quantile_999(df), f"{where}: chi-square {stat:.1f} over {df} df rejects vigil == OpenDP")
        print(f"  gaussian: sigma {sigma:.4f}: variance vigil {v_ours:.2f}, OpenDP {v_theirs:.2f}, sigma^2 {sigma ** 2:.2f}; "
              f"chi-square {stat:.1f} (df {df})", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vigil", default=os.environ.get("VIGIL_BIN"))
    args = parser.parse_args()
    try:
        version = importlib.metadata.version("opendp")
    except importlib.metadata.PackageNotFoundError:
        version = None
    if version != OPENDP_VERSION:
        print(f"export_interop.py: needs opendp=={OPENDP_VERSION}, found {version}", file=sys.stderr)
        return 2
    if not args.vigil or not os.access(args.vigil, os.X_OK):
        print(f"export_interop.py: no vigil binary at {args.vigil!r}", file=sys.stderr)
        return 2
    import opendp.prelude as dp
    dp.enable_features("contrib")
    seed = int(os.environ.get("VIGIL_INTEROP_SEED", DEFAULT_SEED))
    print(f"seed {seed}, opendp {version}, vigil {args.vigil}", flush=True)
    report = Report()
    for group, run in (("scale", lambda: run_scale(dp, args.vigil, report)),
                       ("samples", lambda: run_samples(dp, args.vigil, report, seed)),
                       ("gaussian", lambda: run_gaussian(dp, args.vigil, report, seed))):
        try:
            run()
        except Exception as error:  # noqa: BLE001
            report.check(group, False, f"group raised {type(error).__name__}: {error}")
        passed, failed = report.group_counts.get(group, [0, 0])
        print(f"{group}: {passed} checks passed, {failed} failed", flush=True)
    print(f"{report.passed} passed, {report.failed} failed", flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
