"""Scan a kernel log for the reports that fail a VM run."""

import re

# Each pattern is a report the kernel prints only when something is wrong.
BAD_PATTERNS = [
    ("WARN", re.compile(r"\bWARNING: (CPU|at)\b")),
    ("BUG", re.compile(r"\bBUG: |kernel BUG at")),
    ("Oops", re.compile(r"\bOops\b")),
    ("Call Trace", re.compile(r"Call Trace:")),
    ("general protection fault", re.compile(r"general protection fault")),
    ("KASAN", re.compile(r"\bKASAN\b")),
    ("UBSAN", re.compile(r"\bUBSAN\b")),
    ("lockdep", re.compile(r"possible circular locking|suspicious RCU usage|"
                           r"possible recursive locking|inconsistent lock state")),
    # every DMA-API report but the two lines it prints when it starts
    ("DMA-API", re.compile(r"DMA-API: (?!preallocated \d+ debug entries|"
                           r"debugging enabled by kernel config)")),
    # kmemleak's own summary is not here: the boot and 9p leave objects of
    # their own; the runner fails on the ones whose backtrace is vplane's.
    ("panic", re.compile(r"Kernel panic")),
    ("hung task", re.compile(r"blocked for more than \d+ seconds")),
    ("soft lockup", re.compile(r"soft lockup|hard LOCKUP|rcu_sched detected stalls|"
                               r"rcu: INFO: rcu_preempt detected stalls")),
]


def kmemleak_objects(text: str, module: str = "vplane"):
    """Unreferenced objects in a kmemleak report whose allocation backtrace
    passes through @module: [(header line, backtrace lines)]."""
    found, cur = [], None
    for line in text.splitlines():
        if line.startswith("unreferenced object"):
            cur = (line.strip(), [])
            found.append(cur)
        elif cur is not None and line.strip():
            cur[1].append(line.strip())
    tag = f"[{module}]"
    return [o for o in found if any(tag in ln for ln in o[1])]


def bad_lines(text: str):
    """[(kind, line)] for every line of `text` that reports a kernel bug."""
    found = []
    for line in text.splitlines():
        for kind, pat in BAD_PATTERNS:
            if pat.search(line):
                found.append((kind, line.strip()))
                break
    return found
