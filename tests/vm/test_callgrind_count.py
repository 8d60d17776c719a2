"""callgrind_count.py (server-bench's instruction figure) against a
synthetic dump and against callgrind_annotate on a real callgrind run."""

import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "guest/server"))

import callgrind_count  # noqa: E402

# Name compression both ways: "fn=(1) name" defines 1, a later "cfn=(1)"
# uses it; "cfn=(3) leaf" is first defined at a call site.
DUMP = """version: 1
creator: callgrind-3.19.0
events: Ir
summary: 109
fl=(1) a.c
fn=(1) frame
10 5
cfn=(3) leaf
calls=2 20
10 40
cfn=(2) tick
calls=1 30
11 63
fn=(2)
30 3
cfn=(3)
calls=3 20
30 60
fn=(3)
20 100
fn=(1)
12 1
totals: 109
"""


class Synthetic(unittest.TestCase):
    def count(self, *functions):
        with tempfile.NamedTemporaryFile("w", suffix=".out") as f:
            f.write(DUMP)
            f.flush()
            return callgrind_count.count(f.name, list(functions))

    def test_calls_summed_over_call_sites_and_compressed_names(self):
        ir, leaf_calls, _, tick_calls, _ = self.count("leaf", "tick")
        self.assertEqual((ir, leaf_calls, tick_calls), (109, 5, 1))

    def test_inclusive_is_own_cost_plus_calls_in_every_block(self):
        # frame: own 5 + 1 (two fn blocks), calls 40 (leaf) + 63 (tick)
        _, calls, incl = self.count("frame")
        self.assertEqual((calls, incl), (0, 109))
        _, _, tick_incl = self.count("tick")
        self.assertEqual(tick_incl, 63)

    def test_not_a_dump(self):
        with tempfile.NamedTemporaryFile("w") as f:
            f.write("hello\n")
            f.flush()
            with self.assertRaises(SystemExit):
                callgrind_count.count(f.name, ["x"])


class RealRun(unittest.TestCase):
    """A real callgrind dump (ls): the same figures callgrind_annotate
    prints."""

    def test_matches_callgrind_annotate(self):
        with tempfile.TemporaryDirectory() as d:
            out = Path(d) / "cg.out"
            subprocess.run(["valgrind", "--tool=callgrind",
                            f"--callgrind-out-file={out}", "ls", "/"],
                           check=True, capture_output=True)
            ann = subprocess.run(
                ["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                 str(out)], check=True, capture_output=True, text=True).stdout
            ir, calls, incl = callgrind_count.count(str(out), ["malloc"])
        total = re.search(r"^([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", ann,
                          re.M)
        self.assertEqual(ir, int(total.group(1).replace(",", "")))
        m = re.search(r"^\s*([\d,]+) \([^)]*\)\s+\S*:malloc \[", ann, re.M)
        self.assertIsNotNone(m, "callgrind_annotate lists no malloc")
        self.assertEqual(incl, int(m.group(1).replace(",", "")))
        self.assertGreater(calls, 0)


if __name__ == "__main__":
    unittest.main()
