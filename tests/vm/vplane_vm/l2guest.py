"""Boot files of the nested (L2) guest that tests start inside the test VM
(tests/vm/guest/l2/l2vm.py): the minimal L2 kernel, and initramfs images
whose /init is the static l2-init program (tests/vm/guest/l2/l2_init.c).

Two kernels, two initramfs images, staged into <build>/vm/<kernel>/l2:
  vmlinux                the minimal L2 kernel (l2kernel.py), everything
                         built in
  initramfs.cpio         /init only
  debian-initramfs.cpio  /init plus the stock modules an unmodified guest
                         needs (virtio PCI and input, evdev, bochs and its
                         DRM helpers), from the test VM's own kernel package,
                         whose vmlinux the guest boots as is
  vplane-drm-initramfs.cpio
                         the same with the guest driver vplane-drm.ko
                         (driver/guest, built for that kernel) loaded
                         before bochs, so it binds the vGPU
A group asks for them with a line `# vmrun: needs l2` (building the L2
kernel takes minutes once; later runs find it in the cache)."""

import lzma
import shutil
from pathlib import Path

from . import initramfs, l2kernel, modules
from .kernel import HarnessError, Kernel

NEEDS_LINE = "# vmrun: needs l2"
# What an unmodified Debian guest loads for the tests: the virtio input
# devices, evdev, and bochs-drm for the vGPU.
DEBIAN_MODULES = ["virtio_pci", "virtio_input", "evdev", "bochs"]
DIR, FILE, EXEC = initramfs.DIR, initramfs.FILE, initramfs.EXEC


def needed(group_text: str) -> bool:
    return any(ln.strip() == NEEDS_LINE for ln in group_text.splitlines())


def initramfs_entries(init: bytes, mods=()) -> list:
    """An initramfs holding /init and, in /modules with an `order` file,
    the given (name, bytes) modules in load order."""
    entries = [("dev", DIR, b""), ("proc", DIR, b""), ("sys", DIR, b""),
               ("init", EXEC, init)]
    if mods:
        entries.append(("modules", DIR, b""))
        entries += [(f"modules/{name}.ko", FILE, data) for name, data in mods]
        entries.append(("modules/order", FILE,
                        "".join(n + "\n" for n, _ in mods).encode()))
    return entries


def module_bytes(path: Path) -> bytes:
    """A module as finit_module takes it without flags: uncompressed
    (newer Debian kernels ship .ko.xz)."""
    if path.name.endswith(".xz"):
        return lzma.decompress(path.read_bytes())
    if not path.name.endswith(".ko"):
        raise HarnessError(f"cannot unpack module {path}")
    return path.read_bytes()


def debian_modules(kern: Kernel) -> "list[tuple[str, bytes]]":
    """DEBIAN_MODULES and their dependencies, in load order."""
    paths = modules.module_paths(kern)
    order = modules.load_order(DEBIAN_MODULES, modules.parse_modules_dep(
        (kern.moddir / "modules.dep").read_text()),
        modules.builtin_names(kern))
    return [(name, module_bytes(paths[name])) for name in order]


def _write_if_changed(path: Path, data: bytes):
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.rename(path)


def with_guest_driver(mods, ko: bytes) -> "list[tuple[str, bytes]]":
    """`mods` with vplane-drm inserted just before bochs: after the DRM
    helpers both need, and first to register for the vGPU (both match
    its PCI ids; the PCI core gives it to the first)."""
    names = [n for n, _ in mods]
    if "bochs" not in names:
        raise HarnessError("no bochs in the L2 module list")
    at = names.index("bochs")
    return list(mods[:at]) + [("vplane-drm", ko)] + list(mods[at:])


def prepare(kern: Kernel, init_binary: Path, dest: Path,
            guest_driver: "Path | None" = None) -> "dict[str, str]":
    """Build (or find cached) the L2 kernel and stage the boot files into
    `dest`; return the variables the in-guest tests read. `guest_driver`:
    a vplane-drm.ko built for `kern`, for vplane-drm-initramfs.cpio."""
    if not init_binary.is_file():
        raise HarnessError(f"no {init_binary}: build the tree first "
                           "(meson compile)")
    l2k = l2kernel.build(kern.spec)
    dest.mkdir(parents=True, exist_ok=True)
    vmlinux = dest / "vmlinux"
    if not vmlinux.exists() or \
            vmlinux.stat().st_mtime != l2k.vmlinux.stat().st_mtime:
        shutil.copy2(l2k.vmlinux, vmlinux)
    init = init_binary.read_bytes()
    _write_if_changed(dest / "initramfs.cpio",
                      initramfs.cpio_archive(initramfs_entries(init)))
    seconds = l2k.build_seconds
    env = {"VPLANE_L2": str(dest),
           "VPLANE_L2_BUILD_SECONDS": f"{seconds:.0f}" if seconds else ""}
    if kern.flavour == "debian":  # the debug kernel is not Debian's
        mods = debian_modules(kern)
        _write_if_changed(dest / "debian-initramfs.cpio",
                          initramfs.cpio_archive(initramfs_entries(
                              init, mods)))
        if guest_driver:
            _write_if_changed(dest / "vplane-drm-initramfs.cpio",
                              initramfs.cpio_archive(initramfs_entries(
                                  init, with_guest_driver(
                                      mods, guest_driver.read_bytes()))))
        env["VPLANE_L2_DEBIAN_KERNEL"] = str(kern.boot_image())
    return env
