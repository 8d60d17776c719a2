#!/usr/bin/env python3
"""In-guest tests with a nested (L2) guest (run by tests/vm/guest/l2/l2.sh,
which loads vplane.ko and makes the vGPU):

  boot  --uuid U            the minimal L2 kernel boots with the vGPU
                            attached through vfio-pci, sees it on its PCI
                            bus with vplane's ids, bochs-drm binds it and
                            /dev/dri/card0 and an fbdev appear
  input --uuid U [--devices FILE.py:FUNC] [--kernel minimal|debian]
                            keys, pointer moves and clicks written to L1
                            evdev devices (made with uinput unless another
                            source is given) arrive in the guest's
                            /dev/input/event* exactly; per-event latency
                            p50/p99
  debian --uuid U           `input` and the drm check on the unmodified
                            Debian kernel with its stock modules
  vplane-drm --uuid U [--heads N]
                            the Debian kernel with the guest driver
                            vplane-drm.ko (driver/guest) loaded before
                            bochs: it binds the vGPU, card0 has one
                            connected connector per head with the
                            device's modes, and the console's mode on
                            head 0 is the plane the host's display node
                            shows

Figures go to stdout as "# " lines (copied into the TAP stream)."""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import uinput  # noqa: E402
from l2vm import (L2Error, L2Guest, input_linux_args, slowdown,  # noqa: E402,E501
                  vgpu_args)
from uinput import ABS_X, ABS_Y, BTN_LEFT, BTN_RIGHT, EV_ABS, EV_KEY  # noqa: E402,E501

VPLANE_IDS = {"vendor": "0x1234", "device": "0x1111",
              "subvendor": "0x1234", "subdevice": "0x7670",
              "class": "0x030000"}
# Generous: the minimal kernel reaches READY in seconds, Debian's in
# minutes (TCG inside TCG on a loaded host).
READY_TIMEOUT = {"minimal": 600, "debian": 1800}


def log_path(name: str) -> str:
    d = os.environ.get("VPLANE_RESULTS", "/tmp")
    return os.path.join(d, f"l2-{name}-console.log")


def fail(msg: str):
    print("FAIL: " + msg)
    sys.exit(1)


def percentile(values, p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))]


def make_guest(kernel: str, check: str, uuid: str, args=(), append="",
               name="x") -> L2Guest:
    factory = L2Guest.debian if kernel == "debian" else L2Guest.minimal
    return factory(check, vgpu=uuid, args=args, append=append,
                   log=log_path(name))


def wait_ready(g: L2Guest, kernel: str, timeout_s: float = 0):
    _, line = g.wait_line(r"L2-READY ", timeout_s or READY_TIMEOUT[kernel])
    guest_up = float(line.text.split()[1])
    print(f"# {kernel} L2 kernel: QEMU start to L2-READY "
          f"{line.t - g.started:.1f} s (guest uptime {guest_up:.1f} s)")


def fields(text: str) -> "dict[str, str]":
    return dict(w.split("=", 1) for w in text.split() if "=" in w)


def check_drm(g: L2Guest, since: int = 0):
    """The vGPU on the guest's PCI bus with vplane's ids, bound by
    bochs-drm, a DRM card and an fbdev made for it."""
    i, done = g.wait_line(r"L2-DONE drm ", 120, since)
    pci = [ln.text for ln in g.lines[since:i] if ln.text.startswith("PCI ")]
    ours = [fields(p) for p in pci
            if fields(p).get("vendor") == VPLANE_IDS["vendor"]
            and fields(p).get("device") == VPLANE_IDS["device"]]
    if len(ours) != 1:
        fail("want exactly one 1234:1111 device on the guest's PCI bus; "
             "got:\n" + "\n".join(pci))
    for key, want in VPLANE_IDS.items():
        if ours[0].get(key) != want:
            fail(f"vGPU {key} is {ours[0].get(key)}, want {want}")
    print(f"# guest PCI: {[p for p in pci if '0x1111' in p][0]}")
    if ours[0].get("driver") != "bochs-drm":
        fail(f"the vGPU is bound to {ours[0].get('driver')}, not bochs-drm")
    drm = [ln.text for ln in g.lines[since:i] if ln.text.startswith("DRM ")]
    if drm != ["DRM card0 driver=bochs-drm dev=/dev/dri/card0"]:
        fail(f"DRM lines: {drm}")
    fb = [ln.text for ln in g.lines[since:i] if ln.text.startswith("FB ")]
    if len(fb) != 1 or not fb[0].startswith("FB fb0 name=bochs"):
        fail(f"FB lines: {fb}")
    if done.text != "L2-DONE drm 0":
        fail(done.text)
    print(f"# guest: {drm[0]}; {fb[0]}")


def cmd_boot(a) -> int:
    with make_guest("minimal", "drm", a.uuid, name="boot") as g:
        wait_ready(g, "minimal")
        check_drm(g)
        g.wait_line(r"L2-END", 60)
    return 0


class GuestInputs:
    """Which guest event node is the virtio keyboard and which the tablet,
    from the INPUT/ABS lines the guest printed."""

    def __init__(self, g: L2Guest, since: int, until: int):
        lines = [ln.text for ln in g.lines[since:until]]
        self.kbd = self._find(lines, "Virtio Keyboard")
        self.tab = self._find(lines, "Virtio Tablet")
        ranges = {tuple(ln.split()[1:3]): ln.split()[3:]
                  for ln in lines if ln.startswith("ABS ")}
        for axis in (ABS_X, ABS_Y):
            got = ranges.get((self.tab, str(axis)))
            if got != ["0", str(uinput.ABS_MAX)]:
                fail(f"guest tablet axis {axis} range {got}, want "
                     f"0..{uinput.ABS_MAX}")

    @staticmethod
    def _find(lines, name):
        devs = [ln.split()[1] for ln in lines
                if ln.startswith("INPUT ") and ln.endswith(name)]
        if len(devs) != 1:
            fail(f"want one guest '{name}' device, got {devs}:\n"
                 + "\n".join(lines))
        return devs[0]


def input_script(kbd_keys):
    """(device, events) frames: each key pressed and released, pointer
    moves in which both axes change (evdev drops an unchanged value),
    corners included, and left and right clicks at a position."""
    frames = []
    for k in kbd_keys:
        frames += [("kbd", [(EV_KEY, k, 1)]), ("kbd", [(EV_KEY, k, 0)])]
    for x, y in [(100, 200), (16384, 8192), (32767, 32767), (0, 0),
                 (1, 32766), (12345, 23456)]:
        frames.append(("tab", [(EV_ABS, ABS_X, x), (EV_ABS, ABS_Y, y)]))
    for btn in (BTN_LEFT, BTN_RIGHT):
        frames += [("tab", [(EV_KEY, btn, 1)]), ("tab", [(EV_KEY, btn, 0)])]
    frames.append(("tab", [(EV_ABS, ABS_X, 20000), (EV_ABS, ABS_Y, 10000)]))
    frames += [("tab", [(EV_KEY, BTN_LEFT, 1)]),
               ("tab", [(EV_KEY, BTN_LEFT, 0)])]
    return frames


# "vplane" then Enter, and a run over the letter rows
TYPED = [47, 38, 30, 49, 18, 28] + list(range(16, 26)) + list(range(30, 39))


def run_input(g: L2Guest, devices, since: int):
    """Drive every frame of the script and check the guest's EV lines are
    exactly the frames' events; the per-frame latency (write in L1 to the
    last event's line on the serial console)."""
    i, ready = g.wait_line(r"L2-INPUT-READY ", 120, since)
    guest = GuestInputs(g, since, i)
    node = {"kbd": guest.kbd, "tab": guest.tab}
    expected, latencies = [], []
    cursor = i + 1
    for dev, events in input_script(TYPED):
        t_write = devices[dev].emit(events)
        for etype, code, value in events:
            want = f"EV {node[dev]} {etype} {code} {value}"
            expected.append(want)
            j, line = g.wait_line(r"EV ", 30, cursor)
            if line.text != want:
                fail(f"guest saw '{line.text}', want '{want}'")
            cursor = j + 1
        latencies.append((line.t - t_write) * 1000)
    time.sleep(2 * int(os.environ.get("VPLANE_SLOWDOWN", "1") or 1))
    got = [ln.text for ln in g.lines[i + 1:] if ln.text.startswith("EV ")]
    if got != expected:
        extra = got[len(expected):]
        fail(f"the guest saw {len(got)} events, {len(expected)} were sent; "
             f"first extra: {extra[:5]}")
    print(f"# {len(expected)} events in {len(latencies)} frames arrived "
          "exactly (keyboard and tablet, abs values unscaled)")
    print(f"# input latency, L1 evdev write to guest event line on serial "
          f"(TCG in TCG): p50 {percentile(latencies, 50):.1f} ms, "
          f"p99 {percentile(latencies, 99):.1f} ms, "
          f"max {max(latencies):.1f} ms over {len(latencies)} frames")


def uinput_devices():
    return {"kbd": uinput.Device.keyboard(), "tab": uinput.Device.tablet()}


def open_devices(spec: str):
    """The L1 devices to attach and write: {"kbd": dev, "tab": dev}, each
    with .path (its /dev/input/eventN), .emit(events) -> write time and
    .close(). `spec` "uinput" makes fresh uinput devices; "FILE.py:FUNC"
    calls FUNC() of that file instead (for devices another component owns,
    such as vplane.ko's per-vGPU devices with their injection interface:
    a node QEMU grabs cannot be written through evdev itself)."""
    if spec == "uinput":
        return uinput_devices()
    import importlib.util
    path, func = spec.rsplit(":", 1)
    mod_spec = importlib.util.spec_from_file_location("l2_devices", path)
    mod = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(mod)
    return getattr(mod, func)()


def cmd_input(a, kernel: str, checks: str) -> int:
    devices = open_devices(a.devices)
    print(f"# L1 devices: keyboard {devices['kbd'].path}, tablet "
          f"{devices['tab'].path}")
    args = input_linux_args(devices["kbd"].path, devices["tab"].path)
    with make_guest(kernel, checks, a.uuid, args, append="l2.repeat=off",
                    name=f"input-{kernel}") as g:
        wait_ready(g, kernel)
        since = 0
        if checks.startswith("drm"):
            check_drm(g)
            since, _ = g.wait_line(r"L2-DONE drm ", 1)
        run_input(g, devices, since)
        # input-linux's object is still attached (the monitor sees it)
        info = g.monitor("info qom-tree")
        if "l2kbd" not in info and "virtio-keyboard" not in info:
            print(info)
            fail("the monitor does not list the input devices")
    for d in devices.values():
        d.close()
    return 0


# What vplane-drm offers without an EDID: the device's preferred mode
# (1024x768 when the VMM wrote none) first; the console runs at it.
PREFERRED = "1024x768"


def check_vplane_drm(g: L2Guest, heads: int):
    """vplane-drm bound the vGPU (not bochs-drm), made card0 and its
    fbdev, and lists one connected connector per head."""
    i, done = g.wait_line(r"L2-DONE drm ", 120)
    pci = [fields(ln.text) for ln in g.lines[:i]
           if ln.text.startswith("PCI ")]
    ours = [p for p in pci if p.get("subdevice") == VPLANE_IDS["subdevice"]]
    if len(ours) != 1 or ours[0].get("driver") != "vplane-drm":
        fail(f"the vGPU is not bound to vplane-drm: {ours}")
    drm = [ln.text for ln in g.lines[:i] if ln.text.startswith("DRM ")]
    if drm != ["DRM card0 driver=vplane-drm dev=/dev/dri/card0"]:
        fail(f"DRM lines: {drm}")
    fb = [ln.text for ln in g.lines[:i] if ln.text.startswith("FB ")]
    if len(fb) != 1 or not fb[0].startswith("FB fb0 name=vplane-drm"):
        fail(f"FB lines: {fb}")
    if done.text != "L2-DONE drm 0":
        fail(done.text)
    print(f"# guest: {drm[0]}; {fb[0]}")
    j, done = g.wait_line(r"L2-DONE kms ", 60, i)
    conns = [ln.text for ln in g.lines[i:j] if ln.text.startswith("CONN ")]
    if len(conns) != heads or done.text != "L2-DONE kms 0":
        fail(f"want {heads} connectors, got {conns} ({done.text})")
    for c in conns:
        f = fields(c)
        modes = f.get("modes", "").split(",")
        if f.get("status") != "connected" or modes[0] != PREFERRED:
            fail(f"connector: {c}")
        print(f"# guest {c.split()[1]}: {len(modes)} modes, "
              f"{', '.join(modes[:4])}, ...")


def scanout_size(uuid: str) -> str:
    """Head 0's primary plane as the display node shows it, WxH."""
    tool = os.path.join(os.environ["VPLANE_BUILD"],
                        "tests/vm/guest/server/vp-scanout-expect")
    with tempfile.TemporaryDirectory() as d:
        ppm = os.path.join(d, "head0.ppm")
        res = subprocess.run([tool, "dump", uuid, ppm], text=True,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        if res.returncode:
            return "none: " + res.stdout.strip()
        with open(ppm, "rb") as f:
            _, w, h = f.read(32).split()[:3]
        return f"{int(w)}x{int(h)}"


def cmd_vplane_drm(a) -> int:
    initrd = f"{os.environ['VPLANE_L2']}/vplane-drm-initramfs.cpio"
    if not os.path.exists(initrd):
        fail(f"no {initrd}: run with --driver (vmrun builds driver/guest)")
    g = L2Guest(os.environ["VPLANE_L2_DEBIAN_KERNEL"], initrd,
                "drm,kms,input", args=vgpu_args(a.uuid),
                log=log_path("vplane-drm"))
    with g:
        wait_ready(g, "debian")
        check_vplane_drm(g, a.heads)
        # the guest sits in the input check: its console keeps head 0 on
        g.wait_line(r"L2-INPUT-READY ", 60)
        deadline = time.monotonic() + 60 * slowdown()
        while True:
            size = scanout_size(a.uuid)
            if size == PREFERRED or time.monotonic() > deadline:
                break
            time.sleep(1)
        if size != PREFERRED:
            fail(f"the host shows head 0 as {size}, want {PREFERRED}")
        print(f"# host: head 0 primary plane {size} from vplane-drm's "
              "console")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("test", choices=["boot", "input", "debian",
                                     "vplane-drm"])
    ap.add_argument("--uuid", required=True, help="the vGPU to attach")
    ap.add_argument("--devices", default="uinput",
                    help="uinput, or FILE.py:FUNC returning the devices "
                    "(see open_devices)")
    ap.add_argument("--kernel", choices=["minimal", "debian"],
                    default="minimal")
    ap.add_argument("--heads", type=int, default=1,
                    help="vplane-drm: the vGPU type's heads")
    a = ap.parse_args()
    try:
        if a.test == "boot":
            return cmd_boot(a)
        if a.test == "input":
            return cmd_input(a, a.kernel, "input")
        if a.test == "vplane-drm":
            return cmd_vplane_drm(a)
        return cmd_input(a, "debian", "drm,input")
    except L2Error as e:
        fail(str(e))
    return 1


if __name__ == "__main__":
    sys.exit(main())
