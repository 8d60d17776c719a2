"""The nested (L2) guest's kernel: Debian's linux-source built with
`tinyconfig` plus tests/vm/l2.config (PCI, virtio input, evdev, the 8250
console, DRM bochs; no modules, block layer or network), for the guests the
VM tests boot inside the test VM under TCG-in-TCG.

Built once per (source version, config) into the cache; only the vmlinux
(booted through its PVH entry), its .config and the build time are kept,
the source tree is removed after the build."""

import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import kernel
from .debugkernel import parse_fragment, unmet
from .kernel import HarnessError, KernelSpec

CONFIG_FRAGMENT = Path(__file__).resolve().parent.parent / "l2.config"


class L2Kernel:
    def __init__(self, spec: KernelSpec, fragment: str):
        digest = hashlib.sha256(fragment.encode()).hexdigest()[:12]
        self.spec = spec
        self.fragment = fragment
        self.stamp = f"{spec.version}\nconfig {digest}\n"
        self.dir = kernel.cache_dir() / "l2-kernel" / (
            spec.version + "_" + digest)

    @property
    def vmlinux(self) -> Path:
        return self.dir / "vmlinux"

    @property
    def build_seconds(self) -> "float | None":
        """How long its build took (the cache's figure)."""
        try:
            return float((self.dir / "build-seconds").read_text())
        except (OSError, ValueError):
            return None

    def complete(self) -> bool:
        done = self.dir / ".complete"
        return done.exists() and done.read_text() == self.stamp


def find(spec: KernelSpec) -> L2Kernel:
    return L2Kernel(spec, CONFIG_FRAGMENT.read_text())


def _log(msg: str):
    print("vmrun: l2 kernel: " + msg, file=sys.stderr, flush=True)


def _make(src: Path, out: Path, *targets, jobs: int = 3):
    cmd = ["make", "-s", "-C", str(src), f"O={out}", f"-j{jobs}", *targets]
    _log(" ".join(cmd))
    res = subprocess.run(cmd, stdout=subprocess.DEVNULL)
    if res.returncode:
        raise HarnessError("l2 kernel: make " + " ".join(targets) + " failed")


def _extract_source(spec: KernelSpec, dest: Path):
    src_deb = [d for d in kernel.download(spec)
               if d.name.startswith("linux-source-")][0]
    _log(f"extracting {src_deb.name}")
    dest.mkdir(parents=True)
    fsys = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(src_deb)],
                            stdout=subprocess.PIPE)
    inner = subprocess.Popen(["tar", "-xO", f"./usr/src/linux-source-"
                              f"{spec.series}.tar.xz"], stdin=fsys.stdout,
                             stdout=subprocess.PIPE)
    fsys.stdout.close()
    untar = subprocess.run(["tar", "-xJ", "--strip-components=1", "-C",
                            str(dest)], stdin=inner.stdout)
    inner.stdout.close()
    if inner.wait() or fsys.wait() or untar.returncode:
        raise HarnessError(f"extracting {src_deb} failed")


def build(spec: KernelSpec) -> L2Kernel:
    """Build the L2 kernel unless the cache has it (a few minutes on 2
    cores, most of it extracting the source)."""
    k = find(spec)
    if k.complete():
        return k
    kernel.require("make", "gcc", "flex", "bison", "bc", "tar", "xz",
                   "dpkg-deb")
    with kernel._lock(k.dir.with_name(k.dir.name + ".lock")):
        if k.complete():
            return k
        t0 = time.monotonic()
        work = k.dir.with_name(k.dir.name + ".tmp")
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(k.dir, ignore_errors=True)
        src, out = work / "src", work / "build"
        _extract_source(spec, src)
        out.mkdir()
        _make(src, out, "tinyconfig")
        frag = work / "l2.config"
        frag.write_text(k.fragment)
        res = subprocess.run([str(src / "scripts/kconfig/merge_config.sh"),
                              "-m", "-O", str(out), str(out / ".config"),
                              str(frag)], stdout=subprocess.DEVNULL)
        if res.returncode:
            raise HarnessError("l2 kernel: merge_config.sh failed")
        _make(src, out, "olddefconfig")
        bad = unmet(parse_fragment(k.fragment),
                    (out / ".config").read_text())
        if bad:
            raise HarnessError("l2 kernel config dropped options (missing "
                               "dependencies?): " + ", ".join(bad))
        _make(src, out, "vmlinux")
        done = work / "done"
        done.mkdir()
        shutil.copy2(out / "vmlinux", done / "vmlinux")
        shutil.copy2(out / ".config", done / "config")
        seconds = time.monotonic() - t0
        (done / "build-seconds").write_text(f"{seconds:.0f}\n")
        (done / ".complete").write_text(k.stamp)
        done.rename(k.dir)
        shutil.rmtree(work)
        _log(f"built in {seconds:.0f} s: {k.vmlinux}")
    return k
