#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deps-check.py [SRC]: every program a script of the tree runs comes from
a package tests/deps.sh installs (or from the tree itself).

A fresh Debian 12 machine has the Essential packages and nothing else we can
count on; tests/deps.sh installs the rest with --no-install-recommends. So a
program is accounted for when the package that ships it (`dpkg -S`) is
Essential, is listed in deps.sh, or is pulled in by a listed package's
Depends/Pre-Depends (first alternative: what apt installs on a fresh
machine). The debian/ maintainer scripts run on the user's machine instead:
their programs must come from Essential packages or the package's Depends in
debian/control.

Programs are found by parsing, not by running anything:
  - shell scripts (every tracked file with a sh/bash/busybox shebang, and
    *.sh), parsed into a syntax tree by shfmt: the name of each simple
    command, looking through wrappers (timeout, env, xargs, exec, command
    -v, sh -c '...', find -exec...); what runs inside `chroot DIR` comes
    from that root, not from this machine, and is not counted;
  - python scripts: the program of each subprocess call or argv list
    (first string of a list literal in a module that imports subprocess),
    shutil.which() arguments and UPPER_CASE string constants naming one;
  - meson.build files: find_program() arguments;
  - C files: exec*p/posix_spawnp/system/popen of a literal program, and
    the first word of a command string snprintf builds for system().
Names the tree defines (shell functions, meson executables, its own
scripts) and shell builtins are not packages.

A program no installed package ships cannot be mapped here: that fails too
(install it, then list its package in deps.sh).
"""
import ast
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]

BUILTINS = set("""
. : [ [[ alias bg bind break builtin caller cd command compgen complete
compopt continue declare dirs disown echo enable eval exec exit export false
fc fg getopts hash help history jobs kill let local logout mapfile popd
printf pushd pwd read readarray readonly return set shift shopt source
suspend test times trap true type typeset ulimit umask unalias unset wait
""".split())

# wrappers: the command they run is the first word after their options
WRAPPERS = {
    "exec", "command", "timeout", "env", "nice", "ionice", "nohup", "setsid",
    "stdbuf", "xargs", "time", "sudo", "taskset", "unshare", "flock",
    "setpriv", "runuser", "strace", "valgrind", "busybox", "dbus-run-session",
    "systemd-run", "gdb", "chrt", "prlimit", "ltrace", "script", "faketime",
    "fakeroot", "nsenter", "then", "!",
}
# options of wrappers that take a value (the value is not the command)
WRAPPER_ARGOPTS = {
    "timeout": {"-s", "--signal", "-k", "--kill-after"},
    "xargs": {"-I", "-n", "-P", "-d", "-L", "-s", "-a", "-E"},
    "nice": {"-n"},
    "ionice": {"-c", "-n", "-p"},
    "stdbuf": {"-i", "-o", "-e"},
    "flock": {"-w", "-E"},
    "runuser": {"-u", "-g", "-G"},
    "taskset": set(),
    "chrt": set(),
    "unshare": set(),
    "sudo": {"-u", "-g"},
    "env": {"-u", "-C", "-S"},
    "systemd-run": {"-p", "--property", "--unit", "-u"},
    "valgrind": set(),
    "strace": {"-o", "-e", "-p", "-s"},
    "nsenter": {"-t", "--target"},
}
# the program's first positional argument is not a command
NOT_COMMAND_AFTER = {"timeout": 1, "taskset": 1, "chrt": 1, "flock": 1}


def git_files():
    out = subprocess.run(
        ["git", "-C", str(SRC), "ls-files", "-z", "--cached", "--others",
         "--exclude-standard"], check=True, stdout=subprocess.PIPE).stdout
    return [SRC / f for f in out.decode().split("\0")
            if f and (SRC / f).is_file()]


def shebang(path):
    try:
        with open(path, "rb") as f:
            line = f.readline(200)
    except OSError:
        return ""
    return line.decode(errors="replace").strip() if line[:2] == b"#!" else ""


def lit(word):
    """The literal text of a shfmt Word, or None if it has expansions."""
    out = []
    for p in word.get("Parts", []):
        t = p.get("Type")
        if t == "Lit":
            out.append(p.get("Value", ""))
        elif t == "SglQuoted":
            out.append(p.get("Value", ""))
        elif t == "DblQuoted":
            inner = lit({"Parts": p.get("Parts", [])})
            if inner is None:
                return None
            out.append(inner)
        else:
            return None
    return "".join(out)


class ShellScan:
    def __init__(self):
        self.functions = set()
        self.uses = []  # (name, file, line)
        self.errors = []

    def parse(self, text, lang):
        res = subprocess.run(["shfmt", "-ln", lang, "--tojson"],
                             input=text.encode(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        if res.returncode != 0:
            return None, res.stderr.decode().strip()
        return json.loads(res.stdout), None

    def scan_file(self, path, lang, parsed=None):
        if parsed is None:
            parsed = self.parse(path.read_text(errors="replace"), lang)
        tree, err = parsed
        if tree is None:
            self.errors.append(f"{path.relative_to(SRC)}: shfmt: {err}")
            return
        self.walk(tree, path, lang)

    def walk(self, node, path, lang):
        if isinstance(node, list):
            for n in node:
                self.walk(n, path, lang)
            return
        if not isinstance(node, dict):
            return
        t = node.get("Type")
        if t == "FuncDecl":
            self.functions.add(node["Name"]["Value"])
        if t == "CallExpr":
            words = node.get("Args") or []
            line = node.get("Pos", {}).get("Line", 0)
            if self.call(words, path, line, lang):
                return  # inside a chroot: the chroot's own programs
        for k, v in node.items():
            if k not in ("Pos", "End"):
                self.walk(v, path, lang)

    def call(self, words, path, line, lang):
        """Record the programs a simple command runs; True if the rest of
        its words run in another root (chroot)."""
        args = [lit(w) for w in words]
        i = 0
        while i < len(args):
            name = args[i]
            if name is None:
                return False  # $var, "$src/x": the tree's or unknowable
            if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", name):
                i += 1
                continue
            self.uses.append((name, path, line))
            base = name
            if base == "chroot":
                return True
            if base in ("sh", "bash") and i + 2 < len(args) and \
                    args[i + 1] == "-c" and args[i + 2] is not None:
                tree, _ = self.parse(args[i + 2], "bash")
                if tree is not None:
                    self.walk(tree, path, lang)
                return False
            if base == "find":
                for j in range(i + 1, len(args) - 1):
                    if args[j] in ("-exec", "-execdir", "-ok") and \
                            args[j + 1] is not None:
                        self.uses.append((args[j + 1], path, line))
                return False
            if base not in WRAPPERS:
                return False
            # skip the wrapper's options and VAR=value words
            argopts = WRAPPER_ARGOPTS.get(base, set())
            j = i + 1
            skip_pos = NOT_COMMAND_AFTER.get(base, 0)
            while j < len(args):
                a = args[j]
                if a is None:
                    return False
                if a == "--":
                    j += 1
                    break
                if a.startswith("-") and a != "-":
                    if a in argopts:
                        j += 1
                    j += 1
                    continue
                if base == "env" and "=" in a:
                    j += 1
                    continue
                if skip_pos:
                    skip_pos -= 1
                    j += 1
                    continue
                break
            if base == "command" and j < len(args) and args[j] is not None:
                # command -v a b c: each one is looked for
                for a in args[j:]:
                    if a is not None and not a.startswith("-"):
                        self.uses.append((a, path, line))
                return False
            i = j
        return False


SUBPROCESS_CALLS = {"run", "Popen", "call", "check_call", "check_output"}
ARGV_NAME = re.compile(r"(^|_)(cmd|args|argv|command)$")


def argv_lists(n):
    """List literals node N uses as an argv: passed to a subprocess call
    (or a local run()), assigned to a cmd/args/argv variable, or returned
    by a *_cmd function. Only those starting with a string."""
    cands = []
    if isinstance(n, ast.Call):
        f = n.func
        fname = (f.attr if isinstance(f, ast.Attribute) else
                 f.id if isinstance(f, ast.Name) else "")
        if fname in SUBPROCESS_CALLS or fname == "run":
            cands += n.args[:1]
    elif isinstance(n, ast.Assign):
        if any(isinstance(t, ast.Name) and ARGV_NAME.search(t.id)
               for t in n.targets):
            cands.append(n.value)
    elif isinstance(n, ast.FunctionDef) and n.name.endswith("_cmd"):
        cands += [r.value for r in ast.walk(n)
                  if isinstance(r, ast.Return) and r.value is not None]
    out = []
    for c in cands:
        # [a, b] + extra: the literal's start is the program
        while isinstance(c, ast.BinOp):
            c = c.left
        if isinstance(c, ast.List) and c.elts and \
                isinstance(c.elts[0], ast.Constant) and \
                isinstance(c.elts[0].value, str):
            out.append(c)
    return out


def python_programs(path):
    """(name, line) of the programs a python script runs."""
    try:
        tree = ast.parse(path.read_text(errors="replace"))
    except SyntaxError as e:
        return [], f"{path}: {e}"
    imports_subprocess = any(
        isinstance(n, (ast.Import, ast.ImportFrom)) and (
            any(a.name == "subprocess" for a in n.names) or
            getattr(n, "module", None) == "subprocess")
        for n in ast.walk(tree))
    out = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call):
            f = n.func
            fname = (f.attr if isinstance(f, ast.Attribute) else
                     f.id if isinstance(f, ast.Name) else "")
            if fname == "which" and n.args and \
                    isinstance(n.args[0], ast.Constant) and \
                    isinstance(n.args[0].value, str):
                out.append((n.args[0].value, n.lineno))
            if fname in ("system", "popen") and n.args and \
                    isinstance(n.args[0], ast.Constant) and \
                    isinstance(n.args[0].value, str):
                out.append((n.args[0].value.split()[0], n.lineno))
        if imports_subprocess:
            for lst in argv_lists(n):
                v = lst.elts[0].value
                out.append((v, lst.lineno))
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) \
                and isinstance(n.value.value, str) and imports_subprocess:
            for t in n.targets:
                if isinstance(t, ast.Name) and t.id.isupper() and \
                        t.id in ("QEMU", "CC", "MAKE", "TAR", "PROGRAM"):
                    out.append((n.value.value, n.lineno))
    return out, None


def deps_sh_packages():
    text = (SRC / "tests/deps.sh").read_text()
    m = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    if not m:
        sys.exit("deps-check: no packages=( ... ) list in tests/deps.sh")
    words = []
    for line in m.group(1).splitlines():
        words += line.split("#", 1)[0].split()
    return set(words)


def dpkg_fields():
    """{package: (essential, [depends first alternatives])} of installed
    packages."""
    out = subprocess.run(
        ["dpkg-query", "-W", "-f",
         "${Package}\t${Essential}\t${Pre-Depends}, ${Depends}\t"
         "${Provides}\t${db:Status-Abbrev}\n"],
        check=True, stdout=subprocess.PIPE, text=True).stdout
    pkgs, provides = {}, {}
    for line in out.splitlines():
        name, ess, deps, prov, status = line.split("\t")
        if not status.startswith("ii"):
            continue
        first = []
        for d in deps.split(","):
            d = d.strip()
            if d:
                alt = d.split("|")[0].strip()
                first.append(re.split(r"[\s(:]", alt)[0])
        pkgs[name] = (ess == "yes", first)
        for p in prov.split(","):
            p = re.split(r"[\s(]", p.strip())[0]
            if p:
                provides.setdefault(p, name)
    return pkgs, provides


def closure(roots, pkgs, provides):
    seen, todo = set(), list(roots)
    while todo:
        p = todo.pop()
        if p not in pkgs and p in provides:
            p = provides[p]
        if p in seen:
            continue
        seen.add(p)
        if p in pkgs:
            todo += pkgs[p][1]
    return seen


_bin_owner = None


def bin_owners():
    """{path of a program: package} from dpkg's file lists (the database
    `dpkg -S` searches, read once)."""
    global _bin_owner
    if _bin_owner is None:
        _bin_owner = {}
        info = Path("/var/lib/dpkg/info")
        for lst in info.glob("*.list"):
            pkg = lst.name[:-5].split(":")[0]
            for line in lst.read_text(errors="replace").splitlines():
                if "/bin/" in line or "/sbin/" in line:
                    _bin_owner.setdefault(line, pkg)
    return _bin_owner


def package_of(name):
    """The installed package shipping program NAME (a bare name or an
    absolute path), or None."""
    owners = bin_owners()
    cands = []
    if name.startswith("/"):
        cands += [name, os.path.realpath(name)]
    else:
        for d in ("/usr/sbin", "/usr/bin", "/sbin", "/bin"):
            cands.append(f"{d}/{name}")
        w = shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
        if w:
            # alternatives (awk -> mawk): the program behind the link
            cands.append(os.path.realpath(w))
    for c in cands:
        # dpkg knows a usrmerged file under either /bin or /usr/bin
        for a in (c, c[4:] if c.startswith("/usr/") else "/usr" + c):
            if a in owners:
                return owners[a]
    return None


def control_depends():
    """{binary package: [dependency names]} from debian/control."""
    text = (SRC / "debian/control").read_text()
    out = {}
    for para in re.split(r"\n\s*\n", text):
        m = re.search(r"^Package:\s*(\S+)", para, re.M)
        d = re.search(r"^(?:Pre-)?Depends:\s*((?:.*\n?(?:[ \t].*\n?)*))",
                      para, re.M)
        if m:
            names = []
            if d:
                for item in d.group(1).replace("\n", " ").split(","):
                    item = item.split("|")[0].strip()
                    if item and not item.startswith("$"):
                        names.append(re.split(r"[\s(]", item)[0])
            out[m.group(1)] = names
    return out


def own_names(files):
    """Programs the tree builds or ships: meson executables and scripts."""
    names = set()
    for f in files:
        if f.name == "meson.build":
            t = f.read_text(errors="replace")
            names |= set(re.findall(r"executable\(\s*'([^']+)'", t))
            names |= set(re.findall(r"custom_target\(\s*'([^']+)'", t))
        if os.access(f, os.X_OK) or f.suffix in (".sh", ".py"):
            names.add(f.name)
    return names


def main():
    global SRC
    if len(sys.argv) > 1:
        SRC = Path(sys.argv[1]).resolve()
    if not shutil.which("shfmt"):
        print("FAIL: shfmt not found (tests/deps.sh installs it)")
        return 1
    files = git_files()
    shell = ShellScan()
    maint = ShellScan()
    py_uses, errors = [], []
    # shfmt once per shell file, several at a time (a fork each)
    jobs = []
    for f in files:
        sb = shebang(f)
        if "busybox" in sb:
            continue
        if str(f.relative_to(SRC)).startswith("debian/") or \
                sb.startswith("#!/bin/sh"):
            jobs.append((f, "posix"))
        if re.match(r"#!\s*/bin/bash\b", sb) or f.suffix in (".sh", ".bash"):
            jobs.append((f, "bash"))
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        trees = dict(zip(jobs, pool.map(
            lambda j: shell.parse(j[0].read_text(errors="replace"), j[1]),
            jobs)))
    meson_progs = []
    for f in files:
        rel = str(f.relative_to(SRC))
        sb = shebang(f)
        if rel.startswith("debian/") and re.search(
                r"\.(postinst|postrm|preinst|prerm|config)$", rel):
            maint.scan_file(f, "posix", trees.get((f, "posix")))
        elif "busybox" in sb:
            pass  # the initramfs's busybox applets: busybox-static
        elif re.match(r"#!\s*/bin/(ba)?sh\b", sb) or (
                f.suffix in (".sh", ".bash") and not sb.startswith("#!/usr")):
            lang = "posix" if sb.startswith("#!/bin/sh") else "bash"
            shell.scan_file(f, lang, trees.get((f, lang)))
        elif "python" in sb or f.suffix == ".py":
            uses, err = python_programs(f)
            if err:
                errors.append(err)
            py_uses += [(n, f, line) for n, line in uses]
        elif f.suffix == ".c":
            # a program a C file runs by name: exec*p/posix_spawnp/
            # system/popen of a literal, or a command string built with
            # snprintf for system()/popen()
            t = f.read_text(errors="replace")
            for m in re.finditer(
                    r'\b(?:execlp|execvp|execvpe|posix_spawnp\([^,]*,|'
                    r'system|popen)\(\s*"([A-Za-z0-9_./+-]+)', t):
                line = t.count("\n", 0, m.start()) + 1
                py_uses.append((m.group(1), f, line))
            if re.search(r"\b(system|popen)\(", t):
                for m in re.finditer(
                        r'snprintf\(\s*\w+,[^,]+,\s*"([A-Za-z0-9_.+-]+) ',
                        t):
                    line = t.count("\n", 0, m.start()) + 1
                    py_uses.append((m.group(1), f, line))
        elif f.name == "meson.build":
            t = f.read_text(errors="replace")
            for m in re.finditer(r"find_program\(\s*'([^']+)'", t):
                line = t.count("\n", 0, m.start()) + 1
                meson_progs.append((m.group(1), f, line))
    errors += shell.errors + maint.errors
    if any("busybox" in shebang(f) for f in files):
        py_uses.append(("busybox", SRC / "tests/vm/guest/init", 1))

    listed = deps_sh_packages()
    pkgs, provides = dpkg_fields()
    essential = {p for p, (e, _) in pkgs.items() if e}
    allowed = closure(listed | essential, pkgs, provides)
    ours = own_names(files) | shell.functions | maint.functions
    control = control_depends()

    bad = []
    report = {}

    def check(name, f, line, ok_pkgs, where):
        base = name
        if base in BUILTINS or base in ours or "/" in base and \
                not base.startswith("/"):
            return
        if base.startswith("/") and (SRC / base.lstrip("/")).exists():
            return
        if not re.fullmatch(r"[A-Za-z0-9_./+-]+", base):
            return  # a glob or a word shfmt could not make literal
        pkg = package_of(base)
        rel = f"{f.relative_to(SRC)}:{line}"
        if pkg is None:
            bad.append(f"{rel}: '{base}': no installed package ships it "
                       f"({where})")
            return
        report.setdefault(pkg, set()).add(base)
        if pkg not in ok_pkgs:
            bad.append(f"{rel}: '{base}' is in package {pkg}, which {where} "
                       "does not install")

    for name, f, line in shell.uses + py_uses + meson_progs:
        check(name, f, line, allowed, "tests/deps.sh")
    for name, f, line in maint.uses:
        pkg = re.sub(r"\.(postinst|postrm|preinst|prerm|config)$", "",
                     f.name)
        ok = closure(set(control.get(pkg, [])) | essential, pkgs, provides)
        check(name, f, line, ok, f"{pkg}'s Depends in debian/control")

    for pkg in sorted(report):
        print(f"{pkg}: {' '.join(sorted(report[pkg]))}")
    print(f"deps-check: {len(shell.uses) + len(maint.uses)} shell commands, "
          f"{len(py_uses)} python and C, {len(meson_progs)} meson programs; "
          f"{len(report)} packages")
    for e in errors:
        print(f"FAIL: {e}")
    for b in bad:
        print(f"FAIL: {b}")
    return 1 if bad or errors else 0


if __name__ == "__main__":
    sys.exit(main())
