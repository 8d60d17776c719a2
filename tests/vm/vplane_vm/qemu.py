"""Boot the test kernel under QEMU with the host's root shared over 9p."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .kernel import HarnessError

QEMU = "qemu-system-x86_64"


def command(kernel_image: Path, initrd: Path, results: Path, accel: str,
            cmdline_extra: str = "", memory_mb: int = 3072) -> "list[str]":
    cpu = ["-accel", "kvm", "-cpu", "host"] if accel == "kvm" else \
        ["-accel", "tcg,thread=multi", "-cpu", "max"]
    # unknown_nmi_panic: the monitor's "nmi" (sent to a hung guest, see
    # run()) makes the kernel print where it was stuck
    append = ("console=ttyS0 loglevel=5 panic=-1 oops=panic "
              "unknown_nmi_panic "
              "panic_on_warn=0 mitigations=off tsc=reliable "
              "8250.nr_uarts=1 " + cmdline_extra).strip()
    return [QEMU, "-machine", "q35", *cpu, "-smp", "2", "-m", str(memory_mb),
            "-nodefaults", "-no-user-config", "-vga", "none",
            "-display", "none", "-serial", "stdio",
            "-nic", "none", "-no-reboot",
            "-kernel", str(kernel_image), "-initrd", str(initrd),
            "-append", append,
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,"
            "readonly=on,multidevs=remap",
            "-virtfs", f"local,path={results},mount_tag=results,"
            "security_model=none,multidevs=remap"]


class Console:
    """QEMU's serial console: copied to a file, marker lines timestamped."""

    def __init__(self, proc, log_path: Path, echo: bool):
        self.proc = proc
        self.start = time.monotonic()
        self.marks = {}
        self.progress = self.start  # when the last marker line came
        self.running = None         # the in-guest test started, not ended
        self.tail = []
        self.log = open(log_path, "w", errors="replace")
        self.echo = echo
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self):
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            self.log.write(line + "\n")
            self.log.flush()
            self.tail = (self.tail + [line])[-60:]
            if self.echo:
                print(line, file=sys.stderr, flush=True)
            if line.startswith("VPLANE-MARK "):
                words = line.split()
                key = words[1]
                self.marks.setdefault(key, time.monotonic() - self.start)
                self.progress = time.monotonic()
                self.running = words[2] if key == "start" and \
                    len(words) > 2 else None

    def close(self):
        self.thread.join(timeout=5)
        self.log.close()


def _monitor(path: str, commands, timeout_s: float = 10) -> str:
    """HMP commands on QEMU's monitor socket; what it answered."""
    out = b""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(timeout_s)
            s.connect(path)
            for c in commands:
                s.sendall(c.encode() + b"\n")
                time.sleep(0.5)
            s.shutdown(socket.SHUT_WR)
            while chunk := s.recv(65536):
                out += chunk
    except OSError as e:
        out += f"\n(monitor: {e})".encode()
    # the monitor redraws its prompt line per typed character: keep
    # only the answers
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out.decode(errors="replace"))
    return "\n".join(ln for ln in text.splitlines()
                     if not ln.startswith("(qemu)"))


def _post_mortem(mon: str, console_log: Path):
    """A guest that stopped answering: where its CPUs were (QEMU's view)
    and, through an NMI, the kernel's own stack, for the log."""
    state = _monitor(mon, ["info status", "info cpus", "info registers -a",
                           "nmi"])
    time.sleep(10)  # the NMI panic's stack reaches the console
    with open(console_log.with_name("hang.txt"), "w") as f:
        f.write(state)
    print(f"vmrun: hung guest: QEMU's CPU state in "
          f"{console_log.with_name('hang.txt')}", file=sys.stderr)


def run(cmd, console_log: Path, timeout_s: float, echo: bool = False,
        stalled=None):
    """Run QEMU to completion or kill it at the timeout, or as soon as
    stalled(console) says why the guest stopped making progress (after a
    post-mortem through its monitor). Returns (exit code or None when
    killed, Console, why it was killed or None)."""
    if not shutil.which(QEMU):
        raise HarnessError(f"{QEMU} not found: install qemu-system-x86")
    with tempfile.TemporaryDirectory(prefix="vplane-mon.") as d:
        mon = os.path.join(d, "monitor")  # short: sun_path has 108 bytes
        cmd = cmd + ["-monitor", f"unix:{mon},server=on,wait=off"]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        con = Console(proc, console_log, echo)
        deadline = time.monotonic() + timeout_s
        why = None
        while True:
            try:
                rc = proc.wait(timeout=2)
                break
            except subprocess.TimeoutExpired:
                pass
            why = stalled(con) if stalled else None
            if why is None and time.monotonic() >= deadline:
                why = f"the guest was killed after {timeout_s:.0f} s (hung)"
            if why is not None:
                _post_mortem(mon, console_log)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                rc = None
                break
        con.close()
    return rc, con, why


def probe_kvm(vmlinuz: Path, initrd: Path, results: Path, log: Path) -> bool:
    """KVM only if a short boot really reaches userspace with it."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    results.mkdir(parents=True, exist_ok=True)
    rc, con, _ = run(command(vmlinuz, initrd, results, "kvm",
                             "vplane.probe=1", memory_mb=512), log,
                     timeout_s=10)
    return rc == 0 and "probe-ok" in con.marks
