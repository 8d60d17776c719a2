"""Build kernel modules out of tree against the cached Debian headers, and
work out which modules the initramfs must load."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .kernel import HarnessError, Kernel


def link_tree(src: Path, out: Path):
    """Mirror `src` into `out` as symlinks: 6.1's Kbuild writes objects next
    to the sources, and the source tree must stay clean."""
    out.mkdir(parents=True, exist_ok=True)
    for entry in src.iterdir():
        if not is_module_source(entry):
            continue
        dst = out / entry.name
        if entry.is_dir():
            link_tree(entry, dst)
        elif not dst.is_symlink() or os.readlink(dst) != str(entry):
            if dst.exists() or dst.is_symlink():
                dst.unlink()
                # make compares times: a source from another tree may be
                # older than the object built from the last one
                forget_objects(out)
            dst.symlink_to(entry)
    # A source file deleted since the last build must not linger.
    for dst in out.iterdir():
        if dst.is_symlink() and not dst.exists():
            dst.unlink()


def forget_objects(out: Path):
    """Drop what Kbuild built in `out`, so the next make rebuilds it all."""
    for built in out.iterdir():
        if built.is_file() and not built.is_symlink() and (
                built.suffix in (".o", ".ko") or built.name.endswith(".cmd")):
            built.unlink()


def is_module_source(path: Path) -> bool:
    """Sources Kbuild reads, not what an in-tree build left next to them."""
    name = path.name
    if name.startswith("."):
        return False
    if path.is_dir():
        return True
    if name in ("Kbuild", "Makefile"):
        return True
    return (name.endswith(".c") and not name.endswith(".mod.c")) or \
        name.endswith(".h")


def build_external(kdir: Path, src: Path, out: Path, flags, kos,
                   dest: Path, werror: bool = True):
    """make M=<out> modules for `src` against the kernel build dir `kdir`;
    copy each of `kos` into `dest`. Warnings fail the build."""
    link_tree(src, out)
    cmd = ["make", "-s", "-C", str(kdir), f"M={out}",
           f"-j{os.cpu_count() or 1}"] + list(flags) + ["modules"]
    print("vmrun: building " + ", ".join(kos) + " against " + str(kdir),
          file=sys.stderr, flush=True)
    res = subprocess.run(cmd, text=True, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    # Kbuild notes the missing vmlinux for BTF; that is not a warning of ours
    lines = [ln for ln in res.stdout.splitlines()
             if "Skipping BTF generation" not in ln]
    if res.returncode != 0 or (werror and any(
            "warning:" in ln for ln in lines)):
        raise HarnessError("module build failed: " + " ".join(cmd) + "\n"
                           + "\n".join(lines))
    dest.mkdir(parents=True, exist_ok=True)
    for ko in kos:
        built = out / ko
        if not built.exists():
            raise HarnessError(f"module build produced no {ko} in {out}")
        shutil.copy2(built, dest / ko)


def parse_modules_dep(text: str) -> "dict[str, list[str]]":
    """modules.dep as {module name: [dependency names]}."""
    deps = {}
    for line in text.splitlines():
        if ":" not in line:
            continue
        mod, rest = line.split(":", 1)
        deps[module_name(mod)] = [module_name(d) for d in rest.split()]
    return deps


def module_name(path: str) -> str:
    """kernel/fs/9p/9p.ko -> 9p; dashes and underscores are one to kmod."""
    base = os.path.basename(path.strip())
    for suffix in (".xz", ".zst", ".gz"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    if base.endswith(".ko"):
        base = base[:-3]
    return base.replace("-", "_")


def load_order(wanted, deps, builtin) -> "list[str]":
    """Every module `wanted` needs, dependencies first, builtins left out."""
    order, seen = [], set()

    def visit(name, chain):
        name = name.replace("-", "_")
        if name in seen or name in builtin:
            return
        if name in chain:
            raise HarnessError("module dependency cycle: "
                               + " -> ".join(chain + [name]))
        if name not in deps:
            needed = f" (needed by {' -> '.join(chain)})" if chain else ""
            raise HarnessError(f"module {name}{needed} is neither built in "
                               "nor in modules.dep")
        for d in deps[name]:
            visit(d, chain + [name])
        seen.add(name)
        order.append(name)

    for w in wanted:
        visit(w, [])
    return order


def module_paths(kernel: Kernel) -> "dict[str, Path]":
    paths = {}
    for line in (kernel.moddir / "modules.dep").read_text().splitlines():
        rel = line.split(":", 1)[0]
        paths[module_name(rel)] = kernel.moddir / rel
    return paths


def builtin_names(kernel: Kernel) -> "set[str]":
    text = (kernel.moddir / "modules.builtin").read_text()
    return {module_name(line) for line in text.splitlines() if line}
