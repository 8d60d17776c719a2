"""Resolve, download and unpack the Debian kernel the VM tests run.

The kernel is whatever `linux-image-amd64` depends on right now, resolved
through apt-cache at run time. Everything lands in a cache directory keyed by
ABI and package version, so a second run downloads and unpacks nothing.
"""

import fcntl
import hashlib
import lzma
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


class HarnessError(Exception):
    """A failure the user can act on; the message says what to do."""


def cache_dir() -> Path:
    env = os.environ.get("VPLANE_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(xdg) / "vplane"


@dataclass(frozen=True)
class KernelSpec:
    abi: str        # "6.1.0-56-amd64", "6.12.95+deb12-amd64"
    version: str    # Debian package version, "6.1.192-2"
    suite: str = ""  # archive suite it comes from; "" = the system's apt
    # Debian 13's 7.x: linux-image-<abi> is empty and depends on
    # linux-base-, linux-binary- and linux-modules-<abi>
    split: bool = False

    @property
    def series(self) -> str:
        """Upstream series of the ABI: "6.1"."""
        return ".".join(self.abi.split(".")[:2])

    @property
    def common_abi(self) -> str:
        """The ABI without its flavour: "6.1.0-56"."""
        return self.abi.rsplit("-", 1)[0]

    @property
    def kbuild(self) -> str:
        """linux-kbuild-6.1 until Debian 12; per ABI ("6.12.95+deb12")
        since the ABI names carry the version."""
        return self.common_abi if "+" in self.abi else self.series

    def packages(self):
        """(name, version) of every package the harness downloads."""
        image = [("linux-" + part + "-" + self.abi, self.version)
                 for part in ("base", "binary", "modules")] if self.split \
            else [("linux-image-" + self.abi, self.version)]
        return image + [
            ("linux-headers-" + self.abi, self.version),
            ("linux-headers-" + self.common_abi + "-common", self.version),
            ("linux-kbuild-" + self.kbuild, self.version),
            ("linux-source-" + self.series, self.version),
        ]

    @property
    def key(self) -> str:
        return self.abi + "_" + self.version


_IMAGE_DEP = re.compile(
    r"^\s*Depends:\s*linux-image-(\d+\.\d+\.\d+(?:-\d+|\+deb\d+)-[a-z0-9]+)"
    r"\s*$", re.M)
_CANDIDATE = re.compile(r"^\s*Candidate:\s*(\S+)\s*$", re.M)


def parse_image_abi(depends_text: str) -> str:
    """ABI that `apt-cache depends linux-image-amd64` names."""
    found = _IMAGE_DEP.findall(depends_text)
    if not found:
        raise HarnessError(
            "apt-cache does not name a linux-image-<abi> dependency of "
            "linux-image-amd64; run `apt-get update` first")
    return found[0]


def is_split_image(abi: str, depends_text: str) -> bool:
    """Whether `apt-cache depends linux-image-<abi>` names the kernel in
    linux-binary-<abi> (Debian 13's 7.x) rather than carrying it."""
    return re.search(r"^\s*Depends:\s*linux-binary-" + re.escape(abi)
                     + r"\s*$", depends_text, re.M) is not None


def parse_candidate(policy_text: str) -> str:
    """Candidate version out of `apt-cache policy <pkg>`."""
    m = _CANDIDATE.search(policy_text)
    if not m or m.group(1) == "(none)":
        raise HarnessError("apt-cache policy shows no candidate version")
    return m.group(1)


# Tool -> the Debian package that provides it, for errors that say what to do.
TOOLS = {"apt-get": "apt", "apt-cache": "apt", "dpkg-deb": "dpkg",
         "depmod": "kmod", "make": "make", "gcc-12": "gcc-12",
         "tar": "tar", "xz": "xz-utils", "pahole": "dwarves",
         "flex": "flex", "bison": "bison", "bc": "bc"}


def require(*tools):
    """Fail with the package to install when a tool is missing."""
    for t in tools:
        if not shutil.which(t):
            raise HarnessError(f"{t} not found: apt-get install "
                               f"{TOOLS.get(t, t)} (tests/deps.sh installs "
                               "everything)")


def _run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


# The kernels the VM harness can run (vmrun --kernel, VPLANE_KERNEL): each
# the linux-image-amd64 of one or more suites of the machine's own Debian
# archive ("" = the system's apt configuration as it is); with several, the
# newest version wins.
# debian13 and newest are gcc-14 builds whose headers this Debian 12 host
# cannot use as they are: the harness prepares their trees from their
# linux-source with the host's gcc (see prepared.py).
KERNEL_CHOICES = {
    "debian12": ("",),
    "debian13": ("trixie",),
    "newest": ("trixie-backports", "sid"),
}
DEFAULT_CHOICE = "debian12"


def choice_from_env() -> str:
    c = os.environ.get("VPLANE_KERNEL") or DEFAULT_CHOICE
    if c not in KERNEL_CHOICES:
        raise HarnessError(f"VPLANE_KERNEL={c}: not one of "
                           + ", ".join(KERNEL_CHOICES))
    return c


def _apt(suite: str):
    """(run argv -> stdout) for the system's apt or one suite of it."""
    if not suite:
        return lambda argv, cwd=None: _run(argv, cwd=cwd).stdout
    from .archive import Suite
    s = Suite(suite)
    if not (s.dir / "lists").is_dir() or \
            os.environ.get("VPLANE_APT_UPDATE") == "1":
        _log(f"apt-get update for {suite} (private lists in {s.dir})")
        s.update()
    return s.run


def resolve_suite(suite: str = "") -> KernelSpec:
    """The kernel linux-image-amd64 depends on in `suite`'s apt lists."""
    require("apt-cache")
    apt = _apt(suite)
    try:
        dep = apt(["apt-cache", "depends", "linux-image-amd64"])
        abi = parse_image_abi(dep)
        pol = apt(["apt-cache", "policy", "linux-image-" + abi])
        img = apt(["apt-cache", "depends", "linux-image-" + abi])
        return KernelSpec(abi, parse_candidate(pol), suite,
                          is_split_image(abi, img))
    except (OSError, subprocess.CalledProcessError) as e:
        raise HarnessError("cannot resolve the Debian kernel with apt-cache: "
                           + str(e)) from e


def version_key(version: str):
    """Sort key for Debian versions (dpkg --compare-versions order)."""
    import functools

    def cmp(a, b):
        if a == b:
            return 0
        lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b])
        return -1 if lt.returncode == 0 else 1
    return functools.cmp_to_key(cmp)(version)


def resolve(choice: str = DEFAULT_CHOICE) -> KernelSpec:
    """The newest linux-image-amd64 among the choice's suites."""
    specs = [resolve_suite(s) for s in KERNEL_CHOICES[choice]]
    return max(specs, key=lambda sp: version_key(sp.version))


# The upstream series each choice is, for the offline fallback.
CHOICE_SERIES = {"debian12": lambda s: s == "6.1",
                 "debian13": lambda s: s == "6.12",
                 "newest": lambda s: s not in ("6.1", "6.12")}


def newest_cached(choice: str = DEFAULT_CHOICE) -> "KernelSpec | None":
    """A complete cached kernel, for when apt cannot answer (offline)."""
    root = cache_dir() / "kernel"
    best = None
    for d in sorted(root.glob("*_*")) if root.is_dir() else []:
        if (d / ".complete").exists():
            abi, version = d.name.split("_", 1)
            suite = (d / ".suite").read_text().strip() \
                if (d / ".suite").exists() else ""
            spec = KernelSpec(abi, version, suite)
            if CHOICE_SERIES[choice](spec.series):
                best = spec
    return best


class Kernel:
    """An unpacked kernel in the cache: image, headers, sources, modules."""

    flavour = "debian"
    cmdline = ""  # kernel parameters this kernel needs under QEMU
    slowdown = 1  # in-guest timeouts are scaled by this

    def __init__(self, spec: KernelSpec):
        self.spec = spec
        self.dir = cache_dir() / "kernel" / spec.key

    @property
    def abi(self) -> str:
        """uname -r of the booted kernel."""
        return self.spec.abi

    @property
    def label(self) -> str:
        return self.spec.key

    @property
    def vm_name(self) -> str:
        """Its directory under <build>/vm/, so that runs on different
        kernels keep their logs apart: "debian" (6.1, where every doc
        points), "debian-6.12", "debian-7.3", "debug", "debug-6.12"."""
        if self.spec.series == "6.1":
            return self.flavour
        return f"{self.flavour}-{self.spec.series}"

    @property
    def root(self) -> Path:
        """The dpkg -x root: boot/, lib/modules/, usr/src/."""
        return self.dir / "root"

    @property
    def vmlinuz(self) -> Path:
        """/boot/vmlinuz-<abi>; Debian 13's 7.x ships it only as
        /usr/lib/modules/<abi>/vmlinuz (linux-binary-<abi>)."""
        boot = self.root / "boot" / ("vmlinuz-" + self.spec.abi)
        moddir = self.root / "usr/lib/modules" / self.spec.abi / "vmlinuz"
        return moddir if not boot.exists() and moddir.exists() else boot

    @property
    def headers(self) -> Path:
        return self.root / "usr/src" / ("linux-headers-" + self.spec.abi)

    @property
    def prepared(self) -> Path:
        """The tree prepare.py makes from linux-source, where Debian's
        headers do not work on this host."""
        return self.dir / "prepared"

    @property
    def kdir(self) -> Path:
        return self.prepared if self.prepared.is_dir() else self.headers

    @property
    def moddir(self) -> Path:
        return self.root / "lib/modules" / self.abi

    @property
    def srcdir(self) -> Path:
        """The parts of linux-source the harness builds out of tree."""
        return self.dir / "src" / ("linux-source-" + self.spec.series)

    @property
    def extra_modules(self) -> Path:
        """vkms, mbochs, mdpy built against this kernel."""
        return self.dir / "modules"

    def complete(self) -> bool:
        """Built, and from the harness's current patches."""
        try:
            return (self.dir / ".complete").read_text() == self.stamp()
        except OSError:
            return False

    def stamp(self) -> str:
        return f"{self.spec.version}\npatches {patches_hash()}\n"

    def boot_image(self) -> Path:
        """The uncompressed vmlinux, booted through its PVH entry: TCG spends
        about 5 s decompressing a bzImage, so the harness does it once."""
        out = self.dir / "vmlinux"
        if not out.exists():
            try:
                elf = extract_vmlinux(self.vmlinuz.read_bytes())
            except HarnessError:
                # Debian's 6.12+ is zstd-compressed (CONFIG_KERNEL_ZSTD),
                # which Python cannot unpack: boot the bzImage itself
                return self.vmlinuz
            tmp = out.with_suffix(".tmp")
            tmp.write_bytes(elf)
            os.rename(tmp, out)
        return out


XZ_MAGIC = b"\xfd7zXZ\x00"


def extract_vmlinux(bzimage: bytes) -> bytes:
    """The ELF kernel inside an xz-compressed bzImage."""
    start = bzimage.find(XZ_MAGIC)
    while start >= 0:
        try:
            elf = lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(
                bzimage[start:])
        except lzma.LZMAError:
            elf = b""
        if elf.startswith(b"\x7fELF"):
            return elf
        start = bzimage.find(XZ_MAGIC, start + 1)
    raise HarnessError("no xz-compressed ELF kernel inside the bzImage")


def _lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    f = open(path, "w")
    fcntl.flock(f, fcntl.LOCK_EX)
    return f


def _log(msg: str):
    print("vmrun: " + msg, file=sys.stderr, flush=True)


def download(spec: KernelSpec) -> "list[Path]":
    """Download each .deb once into the cache; return their paths."""
    debs = cache_dir() / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    paths = []
    apt = _apt(spec.suite)
    for name, version in spec.packages():
        # apt names files <name>_<version with ':' as %3a>_<arch>.deb
        fver = version.replace(":", "%3a")
        have = sorted(debs.glob(f"{name}_{fver}_*.deb"))
        if not have:
            _log(f"downloading {name}={version}")
            try:
                apt(["apt-get", "download", f"{name}={version}"], cwd=debs)
            except (subprocess.CalledProcessError, HarnessError) as e:
                raise HarnessError(
                    f"apt-get download {name}={version} failed:\n"
                    f"{getattr(e, 'stderr', None) or e}"
                    "\n(is the package archive reachable? try apt-get update)"
                ) from e
            have = sorted(debs.glob(f"{name}_{fver}_*.deb"))
            if not have:
                raise HarnessError(f"apt-get download left no {name} .deb")
        paths.append(have[0])
    return paths


def patch_headers_makefile(text: str, root: Path) -> str:
    """Debian's headers Makefile includes the -common tree by absolute path;
    point it into the unpacked root instead of /usr/src."""
    return re.sub(r"^include /usr/src/", f"include {root}/usr/src/", text,
                  flags=re.M)


# Fixes to the modules the harness builds from linux-source (vkms...),
# each a `patch -p1` against the source tree with a header saying why.
KMOD_PATCH_DIR = Path(__file__).resolve().parent.parent / "kmod-patches"


def kmod_patches() -> "list[Path]":
    return sorted(KMOD_PATCH_DIR.glob("*.patch"))


# Patches whose fix a newer kernel has in another form: skipped when the
# file holds the text. 6.18's vkms moved to DRM's vblank timer, whose
# drm_crtc_vblank_cancel_timer() only tries to cancel (the same fix).
FIXED_UPSTREAM = {
    "0001-vkms-vblank-timer-deadlock.patch":
        ("drivers/gpu/drm/drm_vblank.c", "drm_crtc_vblank_cancel_timer"),
}


def patch_needed(patch: Path, src: Path) -> bool:
    """False for a FIXED_UPSTREAM patch on a source that has the fix."""
    if patch.name not in FIXED_UPSTREAM:
        return True
    rel, text = FIXED_UPSTREAM[patch.name]
    try:
        return text not in (src / rel).read_text(errors="replace")
    except OSError:
        return True  # not extracted: the patch applies or fails loudly


def patches_hash() -> str:
    h = hashlib.sha256()
    for p in kmod_patches():
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


# Out-of-tree builds the harness makes from linux-source.
SOURCE_PATHS = ["drivers/gpu/drm/vkms", "samples/vfio-mdev"]
EXTRA_BUILDS = [
    ("drivers/gpu/drm/vkms", ["CONFIG_DRM_VKMS=m"], ["vkms.ko"]),
    ("samples/vfio-mdev",
     ["CONFIG_SAMPLE_VFIO_MDEV_MBOCHS=m", "CONFIG_SAMPLE_VFIO_MDEV_MDPY=m"],
     ["mbochs.ko", "mdpy.ko"]),
]


# "gcc-12", or the virtual "<gcc-14-for-host>" of trixie's headers
_HEADERS_GCC = re.compile(
    r"^\s*Depends:\s*<?(gcc-\d+)(?:-for-host)?>?\s*$", re.M)


def parse_headers_compiler(depends_text: str) -> str:
    """The gcc-NN `apt-cache depends linux-headers-<abi>` names, or ""."""
    m = _HEADERS_GCC.search(depends_text)
    return m.group(1) if m else ""


def needs_prepared_tree(spec: KernelSpec) -> bool:
    """Debian's headers only work with the gcc their kernel was built with
    (its flags are in the headers' config, its Kbuild tools are linked
    against that Debian's glibc): without that gcc here, the harness
    prepares the tree from linux-source instead (prepared.py)."""
    try:
        dep = _apt(spec.suite)(["apt-cache", "depends",
                                "linux-headers-" + spec.abi])
    except (OSError, subprocess.CalledProcessError, HarnessError) as e:
        raise HarnessError(f"cannot tell which gcc linux-headers-{spec.abi} "
                           f"needs: {e}") from e
    gcc = parse_headers_compiler(dep)
    return bool(gcc) and not shutil.which(gcc)


def merge_usr(root: Path):
    """Debian 13's packages ship modules in usr/lib/modules (merged /usr);
    give the unpacked root the /lib -> usr/lib link such a system has."""
    if (root / "usr/lib/modules").is_dir() and not (root / "lib").exists():
        (root / "lib").symlink_to("usr/lib")


def ensure(spec: KernelSpec) -> Kernel:
    """Download, unpack and build everything for `spec`, once."""
    from . import modules  # circular at import time otherwise

    k = Kernel(spec)
    if k.complete():
        return k
    prepare = needs_prepared_tree(spec)
    require("apt-get", "dpkg-deb", "depmod", "make", "gcc-12", "tar", "xz",
            "patch", *(["pahole"] if spec.series != "6.1" else []),
            *(["flex", "bison", "bc"] if prepare else []))
    with _lock(cache_dir() / "kernel" / (spec.key + ".lock")):
        if k.complete():
            return k
        debs = download(spec)
        tmp = k.dir.with_name(k.dir.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(k.dir, ignore_errors=True)  # an interrupted run
        (tmp / "root").mkdir(parents=True)
        for deb in debs:
            if deb.name.startswith("linux-source-"):
                continue
            _log(f"unpacking {deb.name}")
            _run(["dpkg-deb", "-x", str(deb), str(tmp / "root")])
        merge_usr(tmp / "root")
        mk = tmp / "root/usr/src" / ("linux-headers-" + spec.abi) / "Makefile"
        mk.write_text(patch_headers_makefile(mk.read_text(), k.root))
        src = [d for d in debs if d.name.startswith("linux-source-")][0]
        _log(f"extracting {'all' if prepare else ', '.join(SOURCE_PATHS)}"
             f" from {src.name}")
        (tmp / "src").mkdir()
        tarname = f"./usr/src/linux-source-{spec.series}.tar.xz"
        prefix = f"linux-source-{spec.series}/"
        fsys = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(src)],
                                stdout=subprocess.PIPE)
        inner = subprocess.Popen(["tar", "-xO", tarname], stdin=fsys.stdout,
                                 stdout=subprocess.PIPE)
        fsys.stdout.close()
        # the whole tree where the harness prepares it, else the parts
        # it builds modules of
        untar = subprocess.run(
            ["tar", "-xJ", "-C", str(tmp / "src")]
            + ([] if prepare else [prefix + p for p in SOURCE_PATHS]),
            stdin=inner.stdout)
        inner.stdout.close()
        if inner.wait() or fsys.wait() or untar.returncode:
            raise HarnessError(f"extracting sources from {src} failed")
        tree = tmp / "src" / ("linux-source-" + spec.series)
        for patch in kmod_patches():
            if not patch_needed(patch, tree):
                _log(f"not applying {patch.name}: fixed upstream")
                continue
            _log(f"applying {patch.name}")
            _run(["patch", "-s", "-p1", "-d", str(tree), "-i", str(patch)])
        (tmp / ".suite").write_text(spec.suite + "\n")
        os.rename(tmp, k.dir)
        if prepare:  # after the rename: Kbuild records absolute paths
            from . import prepared
            prepared.prepare(k.srcdir, k.headers, k.prepared, spec.abi)
        _run(["depmod", "-b", str(k.root), spec.abi])
        for rel, flags, kos in EXTRA_BUILDS:
            modules.build_external(k.kdir, k.srcdir / rel,
                                   k.dir / "build" / Path(rel).name, flags,
                                   kos, k.extra_modules)
        (k.dir / ".complete").write_text(k.stamp())
    return k


def current_spec(offline_ok: bool = True, choice: str = "") -> KernelSpec:
    """The kernel `choice` (else VPLANE_KERNEL, else debian12) names:
    resolved from apt, else the newest cached of that family."""
    choice = choice or choice_from_env()
    try:
        return resolve(choice)
    except HarnessError as e:
        spec = newest_cached(choice) if offline_ok else None
        if spec is None:
            raise
        _log(f"{e}; using cached kernel {spec.key}")
        return spec


def current(offline_ok: bool = True, choice: str = "") -> Kernel:
    """The kernel to test on, fetched and prepared (see current_spec)."""
    return ensure(current_spec(offline_ok, choice))
