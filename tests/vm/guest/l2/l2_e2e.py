#!/usr/bin/env python3
"""The nested guest end to end (run by tests/vm/guest/l2/l2.sh e2e, which
loads vplane.ko, starts systemd-udevd with data/60-vplane.rules and makes
a 1-head vGPU):

    l2_e2e.py --uuid U

vplaned (headless) runs in L1 on the vGPU; the minimal L2 kernel boots
with the vGPU through vfio-pci and vplane.ko's own input devices,
/dev/input/by-vplane/U-kbd and -head0, attached with input-linux as
README and examples/vmm say; bochs-drm in L2 sets the head's mode. In
that one boot the guest's /dev/input/event* must see:
  - vplanectl key, type, move, click and wheel, event for event;
  - a click at head pixel (x, y) as the ABS value whose guest pixel,
    for the mode vplaned lists, is (x, y): corners, middle and more;
  - nothing for a click outside the head (vplanectl refuses it);
  - the release of a key held by `vplanectl hold` when that is killed;
  - the release of a key held when vplaned is SIGKILLed (the driver
    releases on close), and input again after vplaned restarts, with no
    monitor command (the VMM keeps the same devices);
then the latency per key press, source to the guest's event line on
the serial console, p50/p99: (a) `vplanectl key` (process start: its
start-up and connection included) and (b) the same run's baseline, a
direct VPLANE_DISPLAY_INPUT write (vp-input-send), with their ratio.
L2_LATENCY_N presses each (default 20). Figures go to stdout as "# "
lines."""

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from l2_test import (GuestInputs, check_drm, fail, make_guest,  # noqa: E402
                     percentile, wait_ready)
from l2vm import L2Error, input_linux_args, slowdown  # noqa: E402

EV_KEY, EV_REL, EV_ABS = 1, 2, 3
ABS_X, ABS_Y, REL_WHEEL = 0, 1, 8
BTN_LEFT, BTN_RIGHT = 0x110, 0x111
# QEMU 7.2's input-linux folds a wheel report into one wheel-button press,
# which virtio-tablet gives the guest as one REL_WHEEL step; vplaned sends
# one report per detent, so `wheel -2` must arrive as two steps down.
KEY_A, KEY_B, KEY_H, KEY_I, KEY_1 = 30, 48, 35, 23, 2
KEY_X, KEY_Z, KEY_ENTER, KEY_LEFTSHIFT = 45, 44, 28, 42
# The minimal kernel's boot to L2-READY, nested: 500 s at a load average
# of 14 (l2-input-uinput), over 600 s at 16 to 24 (a first l2-e2e run)
BOOT_TIMEOUT = 1200
ABS_RANGE = 32768  # vplane.ko's pointers: 0..32767 over the whole head

BUILD = os.environ.get("VPLANE_BUILD", "")
VPLANED = os.environ.get("VPLANED", f"{BUILD}/server/vplaned")
VPLANECTL = f"{BUILD}/server/vplanectl/vplanectl"
INPUT_SEND = f"{BUILD}/tests/vm/vp-input-send"
SOCK = "vplaned-l2-e2e"
RESULTS = os.path.join(os.environ.get("VPLANE_RESULTS", "/tmp"), "l2-e2e")


def abs_value(pixel: int, size: int) -> int:
    """vplaned's mapping (server/input.c): the middle of the pixel."""
    return (2 * pixel + 1) * ABS_RANGE // (2 * size)


def guest_pixel(value: int, size: int) -> int:
    """The pixel a guest's tablet driver (0..32767 over the screen) puts
    the pointer on."""
    return value * size // ABS_RANGE


class Vplaned:
    """vplaned --backend headless on one vGPU, and vplanectl on its
    control socket."""

    def __init__(self, uuid: str, extra: "list[str]" = (),
                 results: str = "", backend: str = "headless"):
        self.uuid = uuid
        self.extra = list(extra)  # more vplaned options
        self.backend = backend
        self.proc = None
        self.runtime = "/tmp/vp-xdg-l2-e2e"
        os.makedirs(self.runtime, mode=0o700, exist_ok=True)
        self.env = dict(os.environ, XDG_RUNTIME_DIR=self.runtime,
                        WLR_RENDERER="pixman")
        if backend == "headless":
            # a kiosk (drm) takes the seat's devices; headless none
            self.env["WLR_LIBINPUT_NO_DEVICES"] = "1"
        self.log = open(os.path.join(results or RESULTS, "vplaned.log"),
                        "a")

    def start(self):
        sock = os.path.join(self.runtime, SOCK)
        if os.path.exists(sock):
            os.unlink(sock)
        self.proc = subprocess.Popen(
            [VPLANED, "--socket", SOCK, "--backend", self.backend,
             "--vgpu", self.uuid, *self.extra], env=self.env, stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20 * slowdown()
        while not os.path.exists(sock):
            if self.proc.poll() is not None:
                fail(f"vplaned exited ({self.proc.returncode}); see "
                     f"{self.log.name}")
            if time.monotonic() > deadline:
                fail("vplaned did not open its socket in 20 s")
            time.sleep(0.2)

    def signal(self, sig) -> int:
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=30 * slowdown())
        self.proc = None
        return rc

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def ctl_cmd(self, *args) -> "list[str]":
        return [VPLANECTL, "--socket", SOCK, *[str(a) for a in args]]

    def ctl(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run(self.ctl_cmd(*args), env=self.env,
                              capture_output=True, text=True,
                              timeout=20 * slowdown())

    def ctl_ok(self, *args):
        r = self.ctl(*args)
        if r.returncode != 0:
            fail(f"vplanectl {' '.join(map(str, args))}: rc "
                 f"{r.returncode}: {r.stderr.strip()}")

    def head_mode(self, timeout_s: float) -> "tuple[int, int]":
        """The head's mode once vplaned lists one (the guest's driver set
        it)."""
        rx = re.compile(rf"^  {re.escape(self.uuid)}/0: (\d+)x(\d+)@",
                        re.M)
        deadline = time.monotonic() + timeout_s * slowdown()
        listing = ""
        while time.monotonic() < deadline:
            listing = self.ctl("list").stdout
            m = rx.search(listing)
            if m:
                return int(m.group(1)), int(m.group(2))
            time.sleep(1)
        fail(f"vplanectl list shows no mode for head 0:\n{listing}")


class GuestEvents:
    """The guest's EV lines in order, consumed as expected."""

    def __init__(self, g, cursor: int, nodes: "dict[str, str]"):
        self.g, self.cursor, self.nodes = g, cursor, nodes

    def line(self, dev: str, etype: int, code: int, value: int) -> str:
        return f"EV {self.nodes[dev]} {etype} {code} {value}"

    def next(self, timeout_s: float = 60):
        """The next EV line (text, arrival time)."""
        j, ln = self.g.wait_line(r"EV ", timeout_s, self.cursor)
        self.cursor = j + 1
        return ln.text, ln.t

    def expect(self, what: str, want: "list[str]") -> float:
        """The next EV lines are exactly `want`; the arrival time of the
        first."""
        t_first = None
        for i, w in enumerate(want):
            try:
                got, t = self.next()
            except L2Error as e:
                fail(f"{what}: event {i + 1} of {len(want)} ({w}) never "
                     f"came: {e}")
            if got != w:
                fail(f"{what}: the guest saw '{got}', want '{w}' (event "
                     f"{i + 1} of {len(want)}: {want})")
            t_first = t if t_first is None else t_first
        return t_first

    def until(self, sentinel: str) -> "list[str]":
        """Every EV line before `sentinel` (which is consumed)."""
        seen = []
        while True:
            got, _ = self.next()
            if got == sentinel:
                return seen
            seen.append(got)
            if len(seen) > 64:
                fail(f"no '{sentinel}' after 64 events: {seen[:8]}")

    def quiet(self) -> "list[str]":
        """EV lines not consumed yet (none expected)."""
        return [ln.text for ln in self.g.lines[self.cursor:]
                if ln.text.startswith("EV ")]


def key_lines(ev, codes) -> "list[str]":
    """Each key pressed and released, in turn."""
    out = []
    for c in codes:
        out += [ev.line("kbd", EV_KEY, c, 1), ev.line("kbd", EV_KEY, c, 0)]
    return out


def check_keys(vp: Vplaned, ev: GuestEvents, head: str):
    vp.ctl_ok("key", head, "shift+x", "enter")
    ev.expect("key shift+x enter", [
        ev.line("kbd", EV_KEY, KEY_LEFTSHIFT, 1),
        ev.line("kbd", EV_KEY, KEY_X, 1), ev.line("kbd", EV_KEY, KEY_X, 0),
        ev.line("kbd", EV_KEY, KEY_LEFTSHIFT, 0)]
        + key_lines(ev, [KEY_ENTER]))
    vp.ctl_ok("type", head, "Hi!")
    shift = [ev.line("kbd", EV_KEY, KEY_LEFTSHIFT, v) for v in (1, 0)]
    ev.expect("type Hi!", [shift[0]] + key_lines(ev, [KEY_H]) + [shift[1]]
              + key_lines(ev, [KEY_I])
              + [shift[0]] + key_lines(ev, [KEY_1]) + [shift[1]])
    print("# vplanectl key and type: exact in the guest")


def pointer_positions(w: int, h: int) -> "list[tuple[int, int]]":
    """Corners, the middle and near-corner pixels, each differing from
    the one before in both coordinates (evdev drops an unchanged
    value)."""
    return [(0, 0), (w - 1, h - 1), (w // 2, h // 2), (w - 1, 0),
            (0, h - 1), (1, h - 2), (w - 2, 1), (w // 3, h // 4)]


def check_pointer(vp: Vplaned, ev: GuestEvents, head: str, w: int,
                  h: int) -> str:
    """Fails at once on a wrong position or button; returns what is wrong
    with the wheel ("" if nothing)."""
    # a first move off the guest's initial 0,0 so every later axis changes
    vp.ctl_ok("move", head, w // 2 + 1, h // 2 + 1)
    ev.expect("move to the middle", [
        ev.line("tab", EV_ABS, ABS_X, abs_value(w // 2 + 1, w)),
        ev.line("tab", EV_ABS, ABS_Y, abs_value(h // 2 + 1, h))])
    for n, (x, y) in enumerate(pointer_positions(w, h)):
        button = BTN_RIGHT if n == 3 else BTN_LEFT
        vx, vy = abs_value(x, w), abs_value(y, h)
        vp.ctl_ok("click", head, x, y, "right" if button == BTN_RIGHT
                  else "left")
        ev.expect(f"click {x},{y}", [
            ev.line("tab", EV_ABS, ABS_X, vx),
            ev.line("tab", EV_ABS, ABS_Y, vy),
            ev.line("tab", EV_KEY, button, 1),
            ev.line("tab", EV_KEY, button, 0)])
        gx, gy = guest_pixel(vx, w), guest_pixel(vy, h)
        if abs(gx - x) > 1 or abs(gy - y) > 1:
            fail(f"click {x},{y} of {w}x{h}: the guest's ABS {vx},{vy} "
                 f"is its pixel {gx},{gy}")
        print(f"# click {x},{y} of {w}x{h}: guest ABS {vx},{vy} = guest "
              f"pixel {gx},{gy}")
    # outside the head: refused, nothing reaches the guest (a key after
    # them must be the next thing the guest sees)
    for x, y in [(w, 0), (0, h), (w + 1000, h + 1000)]:
        r = vp.ctl("click", head, x, y)
        if r.returncode != 1:
            fail(f"click {x},{y} outside {w}x{h}: rc {r.returncode}")
        print(f"# click {x},{y} refused: {r.stderr.strip()}")
    vp.ctl_ok("key", head, "z")
    ev.expect("a key after the refused clicks", key_lines(ev, [KEY_Z]))
    vp.ctl_ok("wheel", head, -2)
    vp.ctl_ok("key", head, "z")
    wheel = ev.until(ev.line("kbd", EV_KEY, KEY_Z, 1))
    ev.expect("the key after the wheel", [ev.line("kbd", EV_KEY, KEY_Z, 0)])
    rel = f"EV {ev.nodes['tab']} {EV_REL} {REL_WHEEL} "
    print(f"# wheel -2: the guest saw {wheel}")
    if not all(ln.startswith(rel) for ln in wheel) or \
            sum(int(ln.split()[4]) for ln in wheel) != -2:
        # told at the end: the release checks after it still run
        return (f"wheel -2: the guest saw {wheel}, want REL_WHEEL steps "
                "down adding up to -2")
    return ""


def check_release(vp: Vplaned, ev: GuestEvents, head: str):
    hold = subprocess.Popen(vp.ctl_cmd("hold", head, "shift+a"),
                            env=vp.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    ev.expect("hold shift+a", [ev.line("kbd", EV_KEY, KEY_LEFTSHIFT, 1),
                               ev.line("kbd", EV_KEY, KEY_A, 1)])
    hold.kill()
    hold.wait()
    ev.expect("release after vplanectl hold was killed", [
        ev.line("kbd", EV_KEY, KEY_A, 0),
        ev.line("kbd", EV_KEY, KEY_LEFTSHIFT, 0)])
    print("# vplanectl hold SIGKILLed mid-keypress: the guest saw the "
          "release")

    hold = subprocess.Popen(vp.ctl_cmd("hold", head, "b"), env=vp.env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    ev.expect("hold b", [ev.line("kbd", EV_KEY, KEY_B, 1)])
    vp.signal(signal.SIGKILL)
    ev.expect("release by the driver after vplaned's SIGKILL",
              [ev.line("kbd", EV_KEY, KEY_B, 0)])
    hold.wait(timeout=30 * slowdown())
    print("# vplaned SIGKILLed with a key down: the guest saw the release")
    vp.start()
    mode = vp.head_mode(60)
    vp.ctl_ok("key", head, "z")
    ev.expect("a key after vplaned restarted", key_lines(ev, [KEY_Z]))
    print(f"# vplaned restarted (head {mode[0]}x{mode[1]}): input reaches "
          "the guest, no monitor command")


def latency_vplanectl(vp: Vplaned, ev: GuestEvents, head: str, n: int):
    """ms from starting `vplanectl key HEAD x` to the key-down's line."""
    out = []
    for _ in range(n):
        t0 = time.monotonic()
        vp.ctl_ok("key", head, "x")
        t = ev.expect("latency key", key_lines(ev, [KEY_X]))
        out.append((t - t0) * 1000)
    return out


def latency_direct(uuid: str, ev: GuestEvents, n: int):
    """ms from vp-input-send's VPLANE_DISPLAY_INPUT call to the
    key-down's line (vplaned stopped: the tool takes the ack role)."""
    tool = subprocess.Popen([INPUT_SEND, "--uuid", uuid], text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    if tool.stdout.readline().strip() != "ready":
        fail(f"vp-input-send: {tool.stderr.read().strip()}")
    out = []
    for _ in range(n):
        times = []
        for value in (1, 0):
            tool.stdin.write(f"kbd {EV_KEY} {KEY_X} {value}\n")
            tool.stdin.flush()
            answer = tool.stdout.readline().split()
            if len(answer) != 2 or answer[0] != "ok":
                fail(f"vp-input-send: {answer}")
            times.append(float(answer[1]))
        t = ev.expect("direct key", key_lines(ev, [KEY_X]))
        out.append((t - times[0]) * 1000)
    tool.stdin.close()
    if tool.wait(timeout=30 * slowdown()) != 0:
        fail(f"vp-input-send exited {tool.returncode}")
    return out


def summary(values) -> str:
    return (f"p50 {percentile(values, 50):.1f} ms, p99 "
            f"{percentile(values, 99):.1f} ms, max {max(values):.1f} ms "
            f"over {len(values)}")


@contextlib.contextmanager
def input_guest(uuid: str, kbd: str, tab: str, name: str):
    """The minimal L2 guest with the vGPU and the L1 devices `kbd` and
    `tab` attached with input-linux, booted until its bochs-drm has set
    a mode and its input devices are open: (guest, its EV lines, the
    SHOW line)."""
    with make_guest("minimal", "drm,show,input", uuid,
                    input_linux_args(kbd, tab), append="l2.repeat=off",
                    name=name) as g:
        wait_ready(g, "minimal", BOOT_TIMEOUT)
        check_drm(g)
        _, shown = g.wait_line(r"SHOW ", 120)
        if not re.match(r"SHOW fb0 \d+x\d+ ", shown.text):
            fail(f"the guest could not set a mode: {shown.text}")
        i, _ = g.wait_line(r"L2-INPUT-READY ", 120)
        guest = GuestInputs(g, 0, i)
        yield g, GuestEvents(g, i + 1, {"kbd": guest.kbd,
                                        "tab": guest.tab}), shown.text


def print_latency(source: str, what: str, measured, direct):
    """A source's key latency and the same run's direct-write baseline,
    as "# " figure lines with their ratio."""
    print("# latency to the guest's evdev event line on the serial console "
          "(TCG in TCG; the console's own delay is in both):")
    print(f"#   {source} {what}: {summary(measured)}")
    print(f"#   direct VPLANE_DISPLAY_INPUT (baseline): {summary(direct)}")
    print(f"#   ratio {source}/direct: p50 "
          f"{percentile(measured, 50) / percentile(direct, 50):.1f}x, p99 "
          f"{percentile(measured, 99) / percentile(direct, 99):.1f}x")


def script_main(run_fn, results: str) -> int:
    """The command line of the L2 scripts l2.sh runs: --uuid U."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--uuid", required=True, help="the vGPU to attach")
    a = ap.parse_args()
    os.makedirs(results, exist_ok=True)
    try:
        return run_fn(a.uuid)
    except L2Error as e:
        fail(str(e))
    return 1


def run(uuid: str) -> int:
    head = f"{uuid}/0"
    kbd = f"/dev/input/by-vplane/{uuid}-kbd"
    tab = f"/dev/input/by-vplane/{uuid}-head0"
    for path in (kbd, tab):
        if not os.path.exists(path):
            fail(f"no {path}: the udev rule did not name the device")
    print(f"# L1 devices (udev): {kbd} -> {os.path.realpath(kbd)}, "
          f"{tab} -> {os.path.realpath(tab)}")
    n = int(os.environ.get("L2_LATENCY_N", "20"))
    vp = Vplaned(uuid)
    vp.start()
    try:
        with input_guest(uuid, kbd, tab, "e2e") as (_, ev, shown):
            w, h = vp.head_mode(120)
            print(f"# the guest's bochs-drm set head 0 to {w}x{h} "
                  f"({shown})")
            t0 = time.monotonic()
            check_keys(vp, ev, head)
            wheel_error = check_pointer(vp, ev, head, w, h)
            check_release(vp, ev, head)
            print(f"# the checks took {time.monotonic() - t0:.0f} s")
            via_ctl = latency_vplanectl(vp, ev, head, n)
            if vp.signal(signal.SIGTERM) != 0:
                fail("vplaned did not exit cleanly on SIGTERM")
            direct = latency_direct(uuid, ev, n)
            time.sleep(2 * slowdown())
            if ev.quiet():
                fail(f"events nobody sent: {ev.quiet()[:8]}")
    finally:
        vp.stop()
    print_latency("vplanectl", "key (process start)", via_ctl, direct)
    if wheel_error:
        fail(wheel_error)
    print("PASS: l2-e2e")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(run, RESULTS))
