"""A nested (L2) guest inside the test VM: QEMU (TCG inside TCG) booting
the harness's L2 kernel and initramfs (tests/vm/vplane_vm/l2guest.py), the
serial console read line by line with arrival times, markers waited for
with timeouts, HMP on a monitor socket, and a clean stop.

    with L2Guest.minimal("drm", vgpu=uuid, log=path) as g:
        g.wait_line("L2-READY", 60)
        ...

The guest's /init is tests/vm/guest/l2/l2_init.c; its header lists the
lines it prints. Every wait is multiplied by VPLANE_SLOWDOWN. QEMU is
killed (its whole process group) on stop(), when the `with` block ends,
and when this process exits."""

import atexit
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass

QEMU = "qemu-system-x86_64"
# noapic: the IO-APIC timer check's delay loops fail now and then under
# a loaded TCG ("IO-APIC + timer doesn't work!", a panic); the legacy PIC
# serves the timer and the devices use MSI-X
CMDLINE = ("console=ttyS0 loglevel=4 panic=-1 8250.nr_uarts=1 "
           "tsc=reliable mitigations=off noapic")


class L2Error(Exception):
    """The guest did not do what was waited for; the message says what it
    printed last."""


@dataclass
class Line:
    text: str
    t: float  # time.monotonic() when the line arrived on the host side


def slowdown() -> int:
    return int(os.environ.get("VPLANE_SLOWDOWN", "1") or 1)


def vgpu_args(uuid: str) -> "list[str]":
    """A mediated device given to the guest as a PCI device (no IOMMU:
    the mdev's own type1 container); its display stays off, the host side
    (vplaned) shows it."""
    return ["-device", f"vfio-pci,sysfsdev=/sys/bus/mdev/devices/{uuid},"
            "display=off"]


def input_linux_args(keyboard: str = "", tablet: str = "") -> "list[str]":
    """Host evdev nodes attached with input-linux, and the virtio devices
    the guest's stock virtio_input driver sees them through."""
    args = []
    if keyboard:
        args += ["-object", f"input-linux,id=l2kbd,evdev={keyboard},"
                 "grab_all=on,repeat=on",
                 "-device", "virtio-keyboard-pci,id=l2kbddev"]
    if tablet:
        args += ["-object", f"input-linux,id=l2tab,evdev={tablet}",
                 "-device", "virtio-tablet-pci,id=l2tabdev"]
    return args


class L2Guest:
    def __init__(self, kernel: str, initrd: str, check: str = "boot",
                 append: str = "", args=(), memory_mb: int = 256,
                 log: str = ""):
        self.cmd = [QEMU, "-machine", "pc", "-accel", "tcg", "-cpu", "max",
                    "-smp", "1", "-m", str(memory_mb), "-nodefaults",
                    "-no-user-config", "-vga", "none", "-display", "none",
                    "-nic", "none", "-no-reboot", "-serial", "stdio",
                    "-kernel", kernel, "-initrd", initrd,
                    "-append", f"{CMDLINE} l2.check={check} {append}".strip(),
                    *args]
        self.lines: "list[Line]" = []
        self.log_path = log
        self.proc = None
        self.started = None
        self._cond = threading.Condition()
        self._tmp = tempfile.TemporaryDirectory(prefix="l2mon.")
        self.monitor_path = os.path.join(self._tmp.name, "m")

    @classmethod
    def minimal(cls, check: str, vgpu: str = "", args=(), **kw):
        """The harness's minimal L2 kernel (everything built in)."""
        d = os.environ["VPLANE_L2"]
        return cls(f"{d}/vmlinux", f"{d}/initramfs.cpio", check,
                   args=(vgpu_args(vgpu) if vgpu else []) + list(args), **kw)

    @classmethod
    def debian(cls, check: str, vgpu: str = "", args=(), **kw):
        """The test VM's own, unmodified Debian kernel, with its stock
        modules loaded from the initramfs."""
        return cls(os.environ["VPLANE_L2_DEBIAN_KERNEL"],
                   f"{os.environ['VPLANE_L2']}/debian-initramfs.cpio", check,
                   args=(vgpu_args(vgpu) if vgpu else []) + list(args), **kw)

    def start(self):
        self.proc = subprocess.Popen(
            self.cmd + ["-monitor",
                        f"unix:{self.monitor_path},server=on,wait=off"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.started = time.monotonic()
        atexit.register(self.stop)
        threading.Thread(target=self._pump, daemon=True).start()
        return self

    def _pump(self):
        log = open(self.log_path, "w") if self.log_path else None
        for raw in self.proc.stdout:
            line = Line(raw.decode(errors="replace").rstrip("\r\n"),
                        time.monotonic())
            if log:
                log.write(f"{line.t - self.started:9.3f} {line.text}\n")
                log.flush()
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()
        if log:
            log.close()

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_line(self, pattern: str, timeout_s: float, since: int = 0):
        """The first line from index `since` on that matches the regular
        expression `pattern` (at its start); (index, Line). Raises L2Error
        on timeout, on QEMU exiting first, and on an L2-FATAL line."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout_s * slowdown()
        i = since
        with self._cond:
            while True:
                while i < len(self.lines):
                    text = self.lines[i].text
                    if rx.match(text):
                        return i, self.lines[i]
                    if text.startswith("L2-FATAL"):
                        raise L2Error(f"the guest failed: {text}")
                    i += 1
                if not self.running() and i >= len(self.lines):
                    raise L2Error(f"QEMU exited ({self.proc.poll()}) before "
                                  f"/{pattern}/; last lines:\n"
                                  + self.tail())
                left = deadline - time.monotonic()
                if left <= 0:
                    raise L2Error(f"no /{pattern}/ within "
                                  f"{timeout_s * slowdown():.0f} s; last "
                                  "lines:\n" + self.tail())
                self._cond.wait(min(left, 1.0))

    def tail(self, n: int = 25) -> str:
        return "\n".join("  " + ln.text for ln in self.lines[-n:])

    def monitor(self, command: str, timeout_s: float = 30) -> str:
        """One HMP command; what the monitor answered."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(timeout_s * slowdown())
            s.connect(self.monitor_path)
            self._read_prompt(s)
            s.sendall(command.encode() + b"\n")
            out = self._read_prompt(s)
        text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out)
        return "\n".join(ln for ln in text.splitlines()
                         if ln.strip() and not ln.startswith("(qemu)")
                         and ln.strip() != command)

    @staticmethod
    def _read_prompt(s) -> str:
        buf = b""
        while not buf.endswith(b"(qemu) "):
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        return buf.decode(errors="replace")

    def stop(self, grace_s: float = 5) -> "int | None":
        """Ask QEMU to quit, kill its process group if it does not;
        QEMU's exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self._tmp.cleanup()
        return self.proc.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
