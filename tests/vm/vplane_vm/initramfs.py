"""The stage-1 initramfs: static busybox, the modules that reach the host's
root over 9p, and the init script. Written as a newc cpio by hand so the
harness needs no cpio tool and the archive is byte-for-byte reproducible."""

import hashlib
import shutil
from pathlib import Path

from . import modules
from .kernel import HarnessError, Kernel

# What stage 1 needs to mount the host root: virtio PCI transport, 9p, and
# overlayfs for the writable tmpfs layer on top.
BOOT_MODULES = ["virtio_pci", "9pnet_virtio", "9p", "overlay"]
BUSYBOX = Path("/bin/busybox")


def _pad4(n: int) -> bytes:
    return b"\0" * (-n % 4)


def cpio_entry(name: str, mode: int, data: bytes = b"", ino: int = 1) -> bytes:
    """One newc record; mtime 0 keeps the archive reproducible."""
    nm = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nm), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    rec = hdr + nm
    rec += _pad4(len(rec))
    rec += data + _pad4(len(data))
    return rec


def cpio_archive(entries) -> bytes:
    """entries: (name, mode, data). Ends with the TRAILER!!! record."""
    out = b"".join(cpio_entry(n, m, d, i + 1)
                   for i, (n, m, d) in enumerate(entries))
    return out + cpio_entry("TRAILER!!!", 0, b"", 0)


DIR, FILE, EXEC = 0o040755, 0o100644, 0o100755


def build(kernel: Kernel, init_script: Path, out: Path) -> Path:
    """Write the initramfs to `out` unless an identical one is there."""
    if not BUSYBOX.exists():
        raise HarnessError("no /bin/busybox: install the busybox-static "
                           "package")
    paths = modules.module_paths(kernel)
    order = modules.load_order(BOOT_MODULES, modules.parse_modules_dep(
        (kernel.moddir / "modules.dep").read_text()),
        modules.builtin_names(kernel))
    entries = [("bin", DIR, b""), ("modules", DIR, b""),
               ("bin/busybox", EXEC, BUSYBOX.read_bytes()),
               ("init", EXEC, init_script.read_bytes())]
    for name in order:
        entries.append((f"modules/{name}.ko", FILE, paths[name].read_bytes()))
    entries.append(("modules/order", FILE,
                    "".join(m + "\n" for m in order).encode()))
    data = cpio_archive(entries)
    digest = hashlib.sha256(data).hexdigest()
    stamp = out.with_suffix(".sha256")
    if out.exists() and stamp.exists() and stamp.read_text() == digest:
        return out
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(data)
    shutil.move(tmp, out)
    stamp.write_text(digest)
    return out
