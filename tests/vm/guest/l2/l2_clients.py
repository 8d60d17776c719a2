#!/usr/bin/env python3
"""Remote viewers typing and clicking into the nested guest (run by
tests/vm/guest/l2/l2.sh clients, set up as for l2.sh e2e):

    l2_clients.py --uuid U

vplaned (headless, with the WebRTC viewer page and a control token) runs
in L1 on the vGPU; the minimal L2 kernel boots with the vGPU through
vfio-pci and vplane.ko's input devices attached with input-linux, as for
l2-e2e. The guest's /dev/input/event* must then see, event for event:
  - wayvnc 0.5 on vplaned's control socket with a real RFB client
    (tests/vm/guest/server/rfb_input.py): typed text, a click at a head
    pixel landing on the same guest pixel (+-1), one wheel step;
  - headless Chromium on the viewer page (webrtc_input.py send, DevTools
    Input.dispatch*): the same, then key presses whose latency, from
    the DevTools dispatch to the guest's event line on its serial
    console, is printed as p50/p99 with the same run's baseline (a
    direct VPLANE_DISPLAY_INPUT write, vplaned stopped) and the ratio.
L2_CLIENT_PRESSES presses (default 20). Figures go to stdout as "# "
lines."""

import glob
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from l2_e2e import (EV_KEY, EV_ABS, EV_REL, ABS_X, ABS_Y,  # noqa: E402
                    REL_WHEEL, BTN_LEFT, KEY_X, KEY_LEFTSHIFT, SOCK,
                    GuestEvents, Vplaned, abs_value, guest_pixel,
                    input_guest, key_lines, latency_direct, print_latency,
                    script_main)
from l2_test import fail  # noqa: E402
from l2vm import slowdown  # noqa: E402
from uinput import Device  # noqa: E402

SRC = os.environ.get("VPLANE_SRC", "")
RFB = os.path.join(SRC, "tests/vm/guest/server/rfb_input.py")
WEBRTC = os.path.join(SRC, "tests/vm/guest/stream/webrtc_input.py")
RESULTS = os.path.join(os.environ.get("VPLANE_RESULTS", "/tmp"),
                       "l2-clients")
VNC_PORT, WEB_PORT = 5900, 8080
# linux/input-event-codes.h, for the typed words
KEY_V, KEY_N, KEY_C, KEY_W, KEY_E, KEY_B = 47, 49, 46, 17, 18, 48
KEY_K, KEY_I, KEY_O = 37, 23, 24


def take_split(ev: GuestEvents, who: str, keys: "list[str]"):
    """The keyboard's and the tablet's next lines, until the keyboard has
    given `keys` and the tablet a wheel step. Each device's events keep
    their order, but not across the two: QEMU reads each evdev node on
    its own (seen here: a VNC client's click reached the guest before
    the text it typed first)."""
    kbd_prefix = f"EV {ev.nodes['kbd']} "
    kbd, tab = [], []
    while len(kbd) < len(keys) or not tab or \
            not tab[-1].startswith(f"EV {ev.nodes['tab']} {EV_REL} "):
        got, _ = ev.next()
        (kbd if got.startswith(kbd_prefix) else tab).append(got)
        if len(kbd) > len(keys) or len(tab) > 8:
            fail(f"{who}: the guest saw keys {kbd}, pointer {tab}")
    if kbd != keys:
        fail(f"{who}: the guest's keys were {kbd}, want {keys}")
    return tab


def check_click(ev: GuestEvents, who: str, tab: "list[str]", x: int,
                y: int, w: int, h: int):
    """The pointer's first four lines after a left click at head pixel
    (x, y): ABS values that put the guest's pointer on (x, y) +-1, then
    the button down and up."""
    ax, ay = (f"EV {ev.nodes['tab']} {EV_ABS} {c} " for c in (ABS_X, ABS_Y))
    button = [ev.line("tab", EV_KEY, BTN_LEFT, v) for v in (1, 0)]
    if len(tab) < 4 or not tab[0].startswith(ax) or \
            not tab[1].startswith(ay) or tab[2:4] != button:
        fail(f"{who} click {x},{y}: the guest saw {tab}")
    vx, vy = int(tab[0].split()[4]), int(tab[1].split()[4])
    gx, gy = guest_pixel(vx, w), guest_pixel(vy, h)
    if abs(gx - x) > 1 or abs(gy - y) > 1:
        fail(f"{who} click {x},{y} of {w}x{h}: the guest's ABS {vx},{vy} "
             f"is its pixel {gx},{gy}")
    print(f"# {who} click {x},{y}: guest ABS {vx},{vy} = guest pixel "
          f"{gx},{gy} (vplanectl's mapping: {abs_value(x, w)},"
          f"{abs_value(y, h)})")


def check_click_wheel(ev: GuestEvents, who: str, tab: "list[str]", x: int,
                      y: int, w: int, h: int):
    """A click (check_click), then one wheel step down; a page may move
    the pointer to where the wheel turned first."""
    check_click(ev, who, tab, x, y, w, h)
    ab = f"EV {ev.nodes['tab']} {EV_ABS} "
    if len(tab) < 5 or not all(m.startswith(ab) for m in tab[4:-1]) or \
            tab[-1] != ev.line("tab", EV_REL, REL_WHEEL, -1):
        fail(f"{who} one wheel step down after the click: the guest saw "
             f"{tab[4:]}")


def kiosk_output_size() -> "tuple[int, int]":
    """The kiosk output's size: the preferred (first) mode of the vkms
    connector vplaned drives (WLR_DRM_DEVICES, set by l2.sh)."""
    card = os.path.basename(os.environ.get("WLR_DRM_DEVICES", ""))
    for conn in sorted(glob.glob(f"/sys/class/drm/{card}-*/modes")):
        with open(conn) as f:
            modes = f.read().split()
        if modes:
            w, h = modes[0].split("x")
            return int(w), int(h)
    fail(f"no connector with modes on {card or 'WLR_DRM_DEVICES unset'}")


def kiosk_placement(vp: Vplaned) -> "tuple[int, int, float]":
    """Where the kiosk shows head 0 on its output: x, y, scale."""
    rx = re.compile(rf"^  {re.escape(vp.uuid)}/0: .*, on \S+ at "
                    r"(-?\d+),(-?\d+) scale ([0-9.]+)$", re.M)
    deadline = time.monotonic() + 60 * slowdown()
    listing = ""
    while time.monotonic() < deadline:
        listing = vp.ctl("list").stdout
        m = rx.search(listing)
        if m:
            return int(m.group(1)), int(m.group(2)), float(m.group(3))
        time.sleep(0.5)
    fail(f"the kiosk does not show head 0:\n{listing}")


def wait_seat(vp: Vplaned, want: "list[str]"):
    """Until vplaned's seat has taken `want` ("keyboard NAME", "pointer
    NAME"); and none other: vplane.ko's own devices (the VMM's) must be
    left alone, as data/60-vplane.rules tells libinput."""
    deadline = time.monotonic() + 120 * slowdown()
    seen = []
    while time.monotonic() < deadline:
        vp.log.flush()
        with open(vp.log.name) as f:
            seen = re.findall(r"seat: ((?:keyboard|pointer) .*)$",
                              f.read(), re.M)
        other = [d for d in seen if d not in want]
        if other:
            fail(f"the kiosk's seat took {other}: not the kiosk's own")
        if all(d in seen for d in want):
            return
        time.sleep(0.5)
    fail(f"the kiosk's seat has {seen}, not yet {want}")


def check_kiosk(uuid: str, ev: GuestEvents, w: int, h: int,
                n: int) -> "list[float]":
    """vplaned as a kiosk on vkms, with a uinput keyboard and absolute
    mouse present before it starts (libinput through seatd takes them):
    the pointer over the head, a click at a head pixel and typed keys
    reach the guest; then n key presses timed from the uinput write to
    the guest's line."""
    kbd, mouse = Device.keyboard("l2 kiosk keyboard"), Device.tablet(
        "l2 kiosk mouse")
    vp = Vplaned(uuid, results=RESULTS, backend="drm")
    try:
        vp.start()
        wait_seat(vp, ["keyboard l2 kiosk keyboard",
                       "pointer l2 kiosk mouse"])
        ox, oy, scale = kiosk_placement(vp)
        ow, oh = kiosk_output_size()
        x, y = w // 4 + 3, h - h // 3

        def at(px, py):
            """The mouse's values for the middle of head pixel (px, py):
            libinput puts value v at v / 32768 of the output."""
            return [(EV_ABS, ABS_X,
                     int((ox + (px + 0.5) * scale) * 32768 / ow)),
                    (EV_ABS, ABS_Y,
                     int((oy + (py + 0.5) * scale) * 32768 / oh))]
        mouse.emit(at(x, y))
        mouse.emit([(EV_KEY, BTN_LEFT, 1)])
        mouse.emit([(EV_KEY, BTN_LEFT, 0)])
        check_click(ev, "kiosk", [ev.next()[0] for _ in range(4)], x, y,
                    w, h)
        for code in (KEY_K, KEY_I, KEY_O):
            kbd.emit([(EV_KEY, code, 1)])
            kbd.emit([(EV_KEY, code, 0)])
        ev.expect("kiosk keys kio", key_lines(ev, [KEY_K, KEY_I, KEY_O]))
        print(f"# kiosk (vkms {ow}x{oh}, head at {ox},{oy} scale {scale}):"
              " uinput devices present at start, through libinput: the "
              "click and the keys reached the guest")
        lat = []
        for _ in range(n):
            t0 = kbd.emit([(EV_KEY, KEY_X, 1)])
            kbd.emit([(EV_KEY, KEY_X, 0)])
            t = ev.expect("kiosk key", key_lines(ev, [KEY_X]))
            lat.append((t - t0) * 1000)
        if vp.signal(signal.SIGTERM) != 0:
            fail("the kiosk vplaned did not exit cleanly on SIGTERM")
        return lat
    finally:
        vp.stop()
        kbd.close()
        mouse.close()


def start_wayvnc(vp: Vplaned) -> subprocess.Popen:
    """wayvnc (with input) on the control socket, capturing the output
    that shows head 0."""
    listing = vp.ctl("list").stdout
    out = [ln.split(", on ")[1].split()[0] for ln in listing.splitlines()
           if ln.startswith(f"  {vp.uuid}/0: ") and ", on " in ln]
    if not out:
        fail(f"no output shows head 0:\n{listing}")
    log = open(os.path.join(RESULTS, "wayvnc.log"), "w")
    env = dict(vp.env, WAYLAND_DISPLAY=f"{SOCK}-control")
    proc = subprocess.Popen(["wayvnc", "-o", out[0], "127.0.0.1",
                             str(VNC_PORT)], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30 * slowdown()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail(f"wayvnc exited {proc.returncode}; see {log.name}")
        ss = subprocess.run(["ss", "-ltn"], capture_output=True, text=True)
        if f"127.0.0.1:{VNC_PORT} " in ss.stdout:
            return proc
        time.sleep(0.2)
    fail("wayvnc is not listening after 30 s")


def check_vnc(vp: Vplaned, ev: GuestEvents, w: int, h: int):
    x, y = w // 3, h // 4
    r = subprocess.run([sys.executable, RFB, "--port", str(VNC_PORT),
                        "type:vnc", f"click:{x},{y}", "wheel:down"],
                       capture_output=True, text=True,
                       timeout=120 * slowdown())
    if r.returncode != 0:
        fail(f"rfb_input.py: rc {r.returncode}: {r.stderr.strip()}")
    size = r.stdout.split()[1] if r.stdout.startswith("connected ") else ""
    if size != f"{w}x{h}":
        # the click's expectation assumes the output is the head's size
        # (headless: it is); wayvnc_input.sh checks letterboxes
        fail(f"the VNC desktop is {size or r.stdout!r}, not the head's "
             f"{w}x{h}")
    tab = take_split(ev, "VNC", key_lines(ev, [KEY_V, KEY_N, KEY_C]))
    check_click_wheel(ev, "VNC", tab, x, y, w, h)
    print("# wayvnc + RFB client: typed text, a click and the wheel "
          "reached the guest")


def chromium_send(url: str, actions: "list[str]") -> "list[float]":
    """webrtc_input.py send: the actions' dispatch times, in order."""
    r = subprocess.run([sys.executable, WEBRTC, "send", url, *actions],
                       capture_output=True, text=True,
                       timeout=(600 + 5 * len(actions)) * slowdown())
    with open(os.path.join(RESULTS, "chromium-send.txt"), "a") as f:
        f.write(r.stdout + r.stderr)
    if r.returncode != 0:
        fail(f"webrtc_input.py send: rc {r.returncode}: "
             f"{(r.stdout + r.stderr).strip()[-800:]}")
    ready = [ln for ln in r.stdout.splitlines() if ln.startswith("ready")]
    print(f"# Chromium: the page played and its input channel opened "
          f"{ready[0].split(' after ')[1] if ready else '?'} after start")
    return [float(ln.rsplit(" at ", 1)[1]) for ln in r.stdout.splitlines()
            if ln.startswith("sent ")]


def check_chromium(url: str, ev: GuestEvents, w: int, h: int,
                   n: int) -> "list[float]":
    x, y = w - w // 5, h // 2 + 7
    # spaced so that each press's line arrives before the next is sent
    presses = []
    for _ in range(n):
        presses += ["key=KeyX", "sleep=0.5"]
    times = chromium_send(url, ["type=Web", f"click={x},{y}", "wheel=1",
                                *presses])
    shift = [ev.line("kbd", EV_KEY, KEY_LEFTSHIFT, v) for v in (1, 0)]
    tab = take_split(ev, "Chromium", [shift[0]] + key_lines(ev, [KEY_W])
                     + [shift[1]] + key_lines(ev, [KEY_E, KEY_B]))
    check_click_wheel(ev, "Chromium", tab, x, y, w, h)
    print("# Chromium viewer page: typed text, a click and the wheel "
          "reached the guest")
    lat = []
    for sent in times[3::2]:
        t = ev.expect("Chromium key", key_lines(ev, [KEY_X]))
        lat.append((t - sent) * 1000)
    if len(lat) != n:
        fail(f"{len(lat)} of {n} Chromium presses timed")
    return lat


def run(uuid: str) -> int:
    kbd = f"/dev/input/by-vplane/{uuid}-kbd"
    tab = f"/dev/input/by-vplane/{uuid}-head0"
    for path in (kbd, tab):
        if not os.path.exists(path):
            fail(f"no {path}: the udev rule did not name the device")
    n = int(os.environ.get("L2_CLIENT_PRESSES", "20"))
    token = "vplane-l2-" + os.urandom(12).hex()
    tokens = os.path.join(RESULTS, "tokens")
    with open(os.open(tokens, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                      0o600), "w") as f:
        f.write(f"{token} control\n")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=False)
    vp = Vplaned(uuid, ["--webrtc", "--rtsp-no-auth", "--webrtc-port",
                        str(WEB_PORT), "--webrtc-token-file", tokens],
                 results=RESULTS)
    vnc = None
    vp.start()
    try:
        with input_guest(uuid, kbd, tab, "clients") as (_, ev, _):
            w, h = vp.head_mode(120)
            print(f"# the guest's bochs-drm set head 0 to {w}x{h}")
            if vp.signal(signal.SIGTERM) != 0:
                fail("vplaned did not exit cleanly on SIGTERM")
            via_kiosk = check_kiosk(uuid, ev, w, h, n)
            vp.start()
            vp.head_mode(120)
            vnc = start_wayvnc(vp)
            check_vnc(vp, ev, w, h)
            # one controller per head (input-control first): wayvnc's
            # seat holds the head until wayvnc goes
            vnc.terminate()
            vnc.wait(timeout=30 * slowdown())
            vnc = None
            url = f"http://127.0.0.1:{WEB_PORT}/?token={token}#{uuid}/0"
            via_chromium = check_chromium(url, ev, w, h, n)
            if vp.signal(signal.SIGTERM) != 0:
                fail("vplaned did not exit cleanly on SIGTERM")
            direct = latency_direct(uuid, ev, n)
            time.sleep(2 * slowdown())
            if ev.quiet():
                fail(f"events nobody sent: {ev.quiet()[:8]}")
    finally:
        if vnc is not None:
            vnc.kill()
        vp.stop()
    print_latency("Chromium", "key (DevTools dispatch)", via_chromium,
                  direct)
    print_latency("kiosk", "key (uinput write, libinput)", via_kiosk,
                  direct)
    print("PASS: l2-clients")
    return 0


if __name__ == "__main__":
    sys.exit(script_main(run, RESULTS))
