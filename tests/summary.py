#!/usr/bin/env python3
"""Closing line of tests/run.sh: counts every meson test and every TAP
subtest of the VM suite from meson's testlog.json. A skip fails the run:
nothing is allowed to pass by not running."""

import json
import re
import sys

TAP_PLAN = re.compile(r"^1\.\.\d+\s*$", re.M)
TAP_LINE = re.compile(r"^(ok|not ok)\b.*?(#\s*(SKIP|TODO)\b)?", re.I)


def count(entries):
    passed = failed = skipped = 0
    skips = []
    fails = []
    for e in entries:
        result = e.get("result", "")
        if TAP_PLAN.search(e.get("stdout") or ""):
            sub = 0
            for line in e["stdout"].splitlines():
                m = TAP_LINE.match(line)
                if not m:
                    continue
                sub += 1
                if m.group(3) and m.group(3).upper() == "SKIP":
                    skipped += 1
                    skips.append(f"{e['name']}: {line}")
                elif m.group(1) == "ok":
                    passed += 1
                else:
                    failed += 1
                    fails.append(f"{e['name']}: {line}")
            if sub:
                # a TAP test is its subtests; a crash after them still
                # fails it once more
                if result not in ("OK", "FAIL", "SKIP"):
                    failed += 1
                    fails.append(f"{e['name']}: {result}")
                continue
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
            skips.append(e["name"])
        else:
            failed += 1
            fails.append(f"{e['name']}: {result}")
    return passed, failed, skipped, skips, fails


def figures(entries):
    """The figures the VM tests printed ("# ..." TAP comments), for the log:
    meson shows only the verdicts."""
    out = []
    for e in entries:
        if not TAP_PLAN.search(e.get("stdout") or ""):
            continue
        for line in e["stdout"].splitlines():
            if line.startswith("# ") and not line.startswith("# debugfs"):
                out.append(f"{e['name'].split('/')[-1].strip()}: {line[2:]}")
    return out


def main(path):
    with open(path) as f:
        entries = [json.loads(line) for line in f if line.strip()]
    for line in figures(entries):
        print("figure " + line)
    passed, failed, skipped, skips, fails = count(entries)
    # last, next to the counts: a CI log is often read from its tail
    for s in skips:
        print(f"tests: skipped (counts as a failure): {s}")
    for f in fails:
        print(f"tests: FAILED: {f}")
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or skipped or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
