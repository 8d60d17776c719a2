"""The debug kernel: a Debian linux-source (6.1 of debian12, or 6.12 of
debian13) built with a small config and KASAN, lockdep, kmemleak, UBSAN and
DMA-API debugging, for the debug VM suite; from 6.6 also with iommufd and the
VFIO device cdev, for the iommufd test.

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
# Options of kernels from 6.6 on (iommufd, VFIO_DEVICE_CDEV; 6.1 has neither).
FRAGMENT_6_6 = Path(__file__).resolve().parent.parent / \
    "debug-6.6.config"
# Fixes for upstream bugs that would otherwise switch a checker off for the
# rest of a boot (lockdep stops at its first report); each says why.
PATCH_DIR = Path(__file__).resolve().parent.parent / "debug-patches"


def patch_texts() -> "list[tuple[str, str]]":
    """The debug kernel's own fixes, then the ones every kernel the harness
    builds modules of gets (its vkms is built in tree from this source)."""
    from .kernel import kmod_patches
    return [(p.name, p.read_text())
            for p in sorted(PATCH_DIR.glob("*.patch")) + kmod_patches()]


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

    def __init__(self, spec: KernelSpec, fragment: str,
                 patches: "list[tuple[str, str]]" = ()):
        super().__init__(spec)
        # The tree is per config: kbuild's command lines hold its absolute
        # path, so a renamed tree rebuilds from scratch. Patches are swapped
        # in place and only what they touch is rebuilt.
        digest = hashlib.sha256(fragment.encode()).hexdigest()[:12]
        h = hashlib.sha256()
        for name, text in patches:
            h.update(name.encode() + b"\0" + text.encode() + b"\0")
        self.fragment = fragment
        self.patches = list(patches)
        self.stamp = f"{spec.version}\npatches {h.hexdigest()[:12]}\n"
        self.dir = kernel.cache_dir() / "debug-kernel" / (
            spec.version + "_" + digest)
        rel = self.dir / "kernel.release"
        self.release = rel.read_text().strip() if rel.exists() else ""

    def complete(self) -> bool:
        done = self.dir / ".complete"
        return done.exists() and done.read_text() == self.stamp

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


def series_at_least(series: str, want: "tuple[int, int]") -> bool:
    return tuple(int(x) for x in series.split(".")[:2]) >= want


def fragment_for(spec: KernelSpec) -> str:
    """debug.config, plus the iommufd options where the kernel has them."""
    text = CONFIG_FRAGMENT.read_text()
    if series_at_least(spec.series, (6, 6)):
        newer = FRAGMENT_6_6.read_text()
        overridden = parse_fragment(newer)
        text = "".join(ln for ln in text.splitlines(keepends=True)
                       if not set(parse_fragment(ln)) & set(overridden))
        text += newer
    return text


def find(spec: KernelSpec) -> DebugKernel:
    return DebugKernel(spec, fragment_for(spec), patch_texts())


def _patch(k: DebugKernel, text: str, reverse=False):
    cmd = ["patch", "-s", "-p1", "-d", str(k.dir / "src")]
    if reverse:
        cmd.append("-R")
    res = subprocess.run(cmd, input=text.encode())
    if res.returncode:
        raise HarnessError("debug kernel: patch " + " ".join(cmd[5:])
                           + " failed")


def _apply_patches(k: DebugKernel):
    """Apply k's patches and keep a copy of each, so that a later build
    with other patches can take them out again."""
    applied = k.dir / "patches"
    applied.mkdir(exist_ok=True)
    for name, text in k.patches:
        print(f"vmrun: debug kernel: applying {name}", file=sys.stderr,
              flush=True)
        _patch(k, text)
        (applied / name).write_text(text)


def _make(k: DebugKernel, *targets, jobs=None):
    jobs = jobs or (os.cpu_count() or 1) + 1
    cmd = ["make", "-s", "-C", str(k.dir / "src"), f"O={k.kdir}",
           f"-j{jobs}", *targets]
    print("vmrun: " + " ".join(cmd), file=sys.stderr, flush=True)
    res = subprocess.run(cmd)
    if res.returncode:
        raise HarnessError("debug kernel: make " + " ".join(targets)
                           + " failed")


def _configured(k: DebugKernel) -> bool:
    """A tree of this config exists (built before with other patches, or
    interrupted): only the patches need swapping before make."""
    frag = k.dir / "debug.config"
    return ((k.kdir / ".config").exists() and frag.exists()
            and frag.read_text() == k.fragment)


def _swap_patches(k: DebugKernel):
    (k.dir / ".complete").unlink(missing_ok=True)
    applied = k.dir / "patches"
    applied.mkdir(exist_ok=True)
    for p in sorted(applied.glob("*.patch"), reverse=True):
        print(f"vmrun: debug kernel: taking out {p.name}", file=sys.stderr,
              flush=True)
        _patch(k, p.read_text(), reverse=True)
        p.unlink()
    _apply_patches(k)


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
    if _configured(k):
        _swap_patches(k)
        _finish(k)
        return k
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
    _apply_patches(k)
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
    _finish(k)
    return k


def _finish(k: DebugKernel):
    """Build (or rebuild) the configured tree and install its modules."""
    _make(k, "bzImage", "modules")
    shutil.rmtree(k.root / "lib/modules", ignore_errors=True)
    _make(k, "modules_install", f"INSTALL_MOD_PATH={k.root}",
          "INSTALL_MOD_STRIP=1", jobs=1)
    release = (k.kdir / "include/config/kernel.release").read_text().strip()
    (k.dir / "kernel.release").write_text(release + "\n")
    k.release = release
    k.extra_modules.mkdir(exist_ok=True)
    for rel in ("drivers/gpu/drm/vkms/vkms.ko", "samples/vfio-mdev/mbochs.ko",
                "samples/vfio-mdev/mdpy.ko"):
        shutil.copy2(k.kdir / rel, k.extra_modules)
    (k.dir / ".complete").write_text(k.stamp)
