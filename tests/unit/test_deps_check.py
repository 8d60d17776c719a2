# SPDX-License-Identifier: MIT
"""deps-check.py's extraction: each way a script can run a program is seen
(python3 -m unittest, from tests/unit/meson.build)."""
import ast
import importlib.util
import tempfile
import unittest
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "deps_check", Path(__file__).with_name("deps-check.py"))
dc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dc)


def shell_names(text, lang="bash"):
    s = dc.ShellScan()
    tree, err = s.parse(text, lang)
    assert tree is not None, err
    s.walk(tree, Path("x.sh"), lang)
    return [n for n, _, _ in s.uses], s.functions


def python_names(text):
    with tempfile.NamedTemporaryFile("w", suffix=".py") as f:
        f.write(text)
        f.flush()
        uses, err = dc.python_programs(Path(f.name))
    assert err is None, err
    return [n for n, _ in uses]


class Shell(unittest.TestCase):
    CASES = [
        "jq .", "a | jq .", "x=$(jq .)", "x=`jq .`", "timeout 5 jq .",
        "timeout -s KILL 5 jq", "env A=1 B=2 jq", "A=1 jq",
        "xargs -n 1 jq", "sh -c 'jq .'", "bash -c \"jq .\"",
        "find . -name x -exec jq {} \\;", "if jq; then :; fi",
        "while jq; do :; done", "! jq", "( jq )", "{ jq; }", "jq &",
        "[[ -n $(jq) ]]", "command -v jq", "exec jq", "sudo -u nobody jq",
        "nice -n 5 jq", "setsid -f jq", "stdbuf -oL jq", "cat <(jq)",
        "f() { jq; }", "case x in x) jq ;; esac", "jq || true",
        "local v=$(jq)", "out=$(timeout 3 jq 2>&1)", "for i in 1; do jq; done",
    ]

    def test_each_form_is_seen(self):
        for c in self.CASES:
            names, _ = shell_names(c + "\n")
            self.assertIn("jq", names, c)

    def test_posix(self):
        names, _ = shell_names("x=$(jq .)\n", "posix")
        self.assertIn("jq", names)

    def test_not_programs(self):
        names, funcs = shell_names(
            'f() { :; }\nf\n"$src/tests/x.sh" a\n$cmd a\n'
            'chroot "$root" apt-get install jq\n')
        self.assertIn("f", funcs)
        self.assertIn("chroot", names)
        self.assertNotIn("apt-get", names)  # the chroot's own
        self.assertNotIn("jq", names)


class Python(unittest.TestCase):
    def test_each_form_is_seen(self):
        for c in [
            "import subprocess\nsubprocess.run(['jq', '.'])\n",
            "import subprocess\nsubprocess.Popen(['jq'] + args)\n",
            "import subprocess\ncmd = ['jq', '.']\n",
            "import subprocess\ndef x_cmd():\n    return ['jq', '.']\n",
            "import shutil\nshutil.which('jq')\n",
            "import os\nos.system('jq .')\n",
        ]:
            self.assertIn("jq", python_names(c), c)

    def test_data_lists_are_not_programs(self):
        names = python_names("import subprocess\nmods = ['a.ko', 'b.ko']\n"
                             "order = ('vp', 'gst')\n")
        self.assertEqual(names, [])


class Packages(unittest.TestCase):
    def test_cpio_is_not_essential(self):
        # the case that failed on a fresh machine: cpio must be listed
        pkgs, provides = dc.dpkg_fields()
        essential = {p for p, (e, _) in pkgs.items() if e}
        self.assertNotIn("cpio", dc.closure(essential, pkgs, provides))
        self.assertIn("coreutils", essential)


if __name__ == "__main__":
    unittest.main()
