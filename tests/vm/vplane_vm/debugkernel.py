"""The debug kernel: Debian's linux-source-6.1 built with a small config and
KASAN, lockdep, kmemleak, UBSAN and DMA-API debugging, for the debug VM suite.

Built once per (source version, config) into the cache, then used exactly like
the Debian kernel: same Kernel interface, same harness."""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from . import kernel
from .kernel import HarnessError, Kernel, KernelSpec

CONFIG_FRAGMENT = Path(__file__).resolve().parent.parent / "debug.config"


def parse_fragment(text: str) -> "dict[str, str]":
    """CONFIG_X=v and '# CONFIG_X is not set' lines as {name: value}."""
    want = {}
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"^# (CONFIG_\w+) is not set$", line)
        if m:
            want[m.group(1)] = "n"
        elif line.startswith("CONFIG_") and "=" in line:
            k, v = line.split("=", 1)
            want[k] = v
    return want


def unmet(want: "dict[str, str]", config_text: str) -> "list[str]":
    """Options of the fragment that the final .config does not have as
    asked (kconfig drops an option silently when its dependencies are off)."""
    have = parse_fragment(config_text)
    bad = []
    for k, v in want.items():
        got = have.get(k, "n")
        if got != v:
            bad.append(f"{k}={v} (got {got})")
    return bad


class DebugKernel(Kernel):
    flavour = "debug"
    # TCG's -cpu max offers LA57; with 5-level paging, KASAN 6.1 reports a
    # wild access in an interrupt during early boot (before its shadow of
    # the new direct map is ready). Four levels, as on most hardware.
    cmdline = "no5lvl"
    # KASAN, lockdep and kmemleak under TCG: boot ~50 s, tests 3-5x slower
    slowdown = 4

    def __init__(self, spec: KernelSpec, fragment: str):
        super().__init__(spec)
        digest = hashlib.sha256(fragment.encode()).hexdigest()[:12]
        self.fragment = fragment
        self.dir = kernel.cache_dir() / "debug-kernel" / (
            spec.version + "_" + digest)
        rel = self.dir / "kernel.release"
        self.release = rel.read_text().strip() if rel.exists() else ""

    @property
    def kdir(self) -> Path:
        return self.dir / "build"

    @property
    def moddir(self) -> Path:
        return self.root / "lib/modules" / self.release

    @property
    def abi(self) -> str:
        return self.release

    def boot_image(self) -> Path:
        """The bzImage: a KASAN kernel entered through PVH touches its
        shadow before setting it up and triple-faults, so this one boots
        the ordinary way (made once from the built vmlinux)."""
        image = self.kdir / "arch/x86/boot/bzImage"
        if not image.exists():
            _make(self, "bzImage")
        return image

    @property
    def label(self) -> str:
        return f"{self.release} (debug, from {self.spec.version})"


def find(spec: KernelSpec) -> DebugKernel:
    return DebugKernel(spec, CONFIG_FRAGMENT.read_text())


def _make(k: DebugKernel, *targets, jobs=None):
    jobs = jobs or (os.cpu_count() or 1) + 1
    cmd = ["make", "-s", "-C", str(k.dir / "src"), f"O={k.kdir}",
           f"-j{jobs}", *targets]
    print("vmrun: " + " ".join(cmd), file=sys.stderr, flush=True)
    res = subprocess.run(cmd)
    if res.returncode:
        raise HarnessError("debug kernel: make " + " ".join(targets)
                           + " failed")


def build(spec: KernelSpec) -> DebugKernel:
    """Build the debug kernel unless the cache has it (about 20 min on 2
    cores). Reuses the Debian source .deb the normal harness downloads."""
    k = find(spec)
    if k.complete():
        return k
    kernel.require("make", "gcc", "flex", "bison", "bc", "tar", "xz")
    for hdr, pkg in (("/usr/include/libelf.h", "libelf-dev"),
                     ("/usr/include/openssl/ssl.h", "libssl-dev")):
        if not os.path.exists(hdr):
            raise HarnessError(f"{hdr} missing: apt-get install {pkg}")
    src_deb = [d for d in kernel.download(spec)
               if d.name.startswith("linux-source-")][0]
    shutil.rmtree(k.dir, ignore_errors=True)
    (k.dir / "src").mkdir(parents=True)
    print(f"vmrun: extracting the whole {src_deb.name}", file=sys.stderr,
          flush=True)
    fsys = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(src_deb)],
                            stdout=subprocess.PIPE)
    inner = subprocess.Popen(["tar", "-xO", f"./usr/src/linux-source-"
                              f"{spec.series}.tar.xz"], stdin=fsys.stdout,
                             stdout=subprocess.PIPE)
    fsys.stdout.close()
    untar = subprocess.run(["tar", "-xJ", "--strip-components=1", "-C",
                            str(k.dir / "src")], stdin=inner.stdout)
    inner.stdout.close()
    if inner.wait() or fsys.wait() or untar.returncode:
        raise HarnessError(f"extracting {src_deb} failed")
    k.kdir.mkdir()
    _make(k, "x86_64_defconfig")
    frag = k.dir / "debug.config"
    frag.write_text(k.fragment)
    res = subprocess.run([str(k.dir / "src/scripts/kconfig/merge_config.sh"),
                          "-m", "-O", str(k.kdir), str(k.kdir / ".config"),
                          str(frag)], stdout=subprocess.DEVNULL)
    if res.returncode:
        raise HarnessError("debug kernel: merge_config.sh failed")
    _make(k, "olddefconfig")
    bad = unmet(parse_fragment(k.fragment), (k.kdir / ".config").read_text())
    if bad:
        raise HarnessError("debug kernel config dropped options (missing "
                           "dependencies?): " + ", ".join(bad))
    _make(k, "bzImage", "modules")
    _make(k, "modules_install", f"INSTALL_MOD_PATH={k.root}",
          "INSTALL_MOD_STRIP=1", jobs=1)
    release = (k.kdir / "include/config/kernel.release").read_text().strip()
    (k.dir / "kernel.release").write_text(release + "\n")
    k.release = release
    k.extra_modules.mkdir(exist_ok=True)
    for rel in ("drivers/gpu/drm/vkms/vkms.ko", "samples/vfio-mdev/mbochs.ko",
                "samples/vfio-mdev/mdpy.ko"):
        shutil.copy2(k.kdir / rel, k.extra_modules)
    (k.dir / ".complete").write_text(spec.version + "\n")
    return k
