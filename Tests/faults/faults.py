#!/usr/bin/env python3
"""Crash-safety harness (issue 9): SIGKILL `vigil serve` and `vigil cloudapi` at random moments
under load, restart them, and check that nothing acknowledged was lost or doubled and nothing
damaged is served; cut the tail off a real WAL; damage database files and check start-up refuses
them. Standard library only.

Usage: faults.py --vigil PATH [--trials N] [--seed S] [--only serve|cloudapi] [--keep] [-v]

--trials N is per command (default 100). Prints the figures (kills per phase, items verified,
restart times) and ends with `N passed, M failed`; exit status 0 if nothing failed, 1 otherwise,
2 on a bad environment.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cloudapi_faults import CloudAPIFaults  # noqa: E402
from damaged_files import DamagedFiles  # noqa: E402
from harness import Process, Results, progress, restart_summary  # noqa: E402
from serve_faults import BUSINESSES, ServeFaults  # noqa: E402
from torn_writes import TornWrites  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--only", choices=("serve", "cloudapi"))
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    parser.add_argument("-v", "--verbose", action="store_true")
    arguments = parser.parse_args()
    if not os.access(arguments.vigil, os.X_OK):
        print(f"faults.py: {arguments.vigil} is not executable (build vigil first)", file=sys.stderr)
        return 2
    if arguments.trials < 1:
        print("faults.py: --trials must be at least 1", file=sys.stderr)
        return 2
    seed = arguments.seed if arguments.seed is not None else random.SystemRandom().randrange(1 << 32)
    rng = random.Random(seed)
    vigil = os.path.abspath(arguments.vigil)
    os.umask(0o077)  # Vigil refuses data directories that group or others can read
    workdir = tempfile.mkdtemp(prefix="vigil-faults-")
    results = Results(arguments.verbose)
    figures = []
    started = time.monotonic()
    progress(f"faults: seed {seed}, {arguments.trials} trials per command, work in {workdir}")
    try:
        if arguments.only in (None, "serve"):
            torn = TornWrites(workdir, results, rng)
            serve = ServeFaults(vigil, workdir, results, arguments.trials, rng, torn.keep)
            serve.run()
            figures.append(f"serve: {arguments.trials} SIGKILLs ({', '.join(f'{p} {n}' for p, n in serve.kills.items())}); "
                           f"verified after restart: {serve.verified_reports} acknowledged reports, "
                           f"{serve.verified_envelopes} acknowledged envelopes "
                           f"({serve.redeliveries} redeliveries of an already-received id)")
            figures.append(restart_summary("serve", serve.restarts))
            figures.append(serve.recovery_figures())
            torn.check_truncations()
            extra = ["--rules", os.path.join(workdir, "serve-rules.json"), "--business", ",".join(BUSINESSES)]
            torn.check_serve_starts(vigil, serve.data, extra)
            damaged = DamagedFiles(vigil, workdir, results, rng, "serve")
            damaged.run_serve(serve.data, extra)
            figures += [f"refused: {line}" for line in damaged.examples[:1]]
        if arguments.only in (None, "cloudapi"):
            cloud = CloudAPIFaults(vigil, workdir, results, arguments.trials, rng)
            cloud.run()
            figures.append(f"cloudapi: {arguments.trials} SIGKILLs ({', '.join(f'{p} {n}' for p, n in cloud.kills.items())}); "
                           f"verified: {cloud.verified_outbound} sends answered 200 in the store, "
                           f"{cloud.verified_inbound} inbound messages at the webhook "
                           f"({cloud.receiver.redeliveries()} webhook POSTs repeated after a kill, same wamid), "
                           f"{cloud.verified_phone} outbound texts at the phones exactly once")
            figures.append(restart_summary("cloudapi", cloud.restarts))
            damaged = DamagedFiles(vigil, workdir, results, rng, "cloudapi")
            damaged.run_cloudapi(cloud.data, "127.0.0.1:9")
            figures += [f"refused: {line}" for line in damaged.examples[:1]]
    except Exception as error:  # a harness step that could not run is a failure, with its reason
        results.check("harness ran to the end", False, f"{type(error).__name__}: {error}")
    finally:
        Process.kill_all()  # a step that failed half-way may have left a child running
        if arguments.keep or results.failures:
            progress(f"faults: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    for line in figures:
        progress(line)
    progress(f"faults: seed {seed}, {time.monotonic() - started:.1f} s")
    print(f"{results.passed} passed, {len(results.failures)} failed")
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
