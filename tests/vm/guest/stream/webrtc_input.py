#!/usr/bin/env python3
# A person at the viewer page, typing and clicking into the VM: headless
# Chromium (driven over DevTools, as webrtc_view.py) opens the viewer
# page with a view-only token, then with a control token, and sends
# keys, clicks and the wheel with Input.dispatchKeyEvent and
# Input.dispatchMouseEvent; vp-evdev-grab (the VMM's side of the vGPU's
# input devices) writes what reaches the devices to GRAB_LOG, read here.
#   webrtc_input.py URL_BASE HEAD VIEW_TOKEN CONTROL_TOKEN GRAB_LOG W H
#                   [--presses N] [--only-latency]
# URL_BASE is http://ADDRESS:PORT, HEAD <vgpu>/<n>, W x H the head's
# mode. Checks, in order (each prints "ok ..." or "FAIL ..."):
#   view-only: keys and a click reach nothing;
#   keys: exact Linux codes, down then up, in order;
#   click: at two known head pixels, the absolute position maps back to
#     the same pixel (+-1) and BTN_LEFT goes down and up there;
#   wheel: one notch down is REL_WHEEL -1 and REL_WHEEL_HI_RES -120;
#   flood: malformed, oversized, unknown codes, far positions and 3000
#     motions at once: no key, motion within the budget, a key after;
#   latency: N presses, dispatch to the evdev event's timestamp (both
#     CLOCK_MONOTONIC), "# figure" with p50/p99;
#   mid-keypress: a key down, the page's own releases silenced, the tab
#     closed: the key comes up (vplaned releases for the gone viewer).
# Exit 0 if all passed, 1 if a check failed, 2 if Chromium failed.
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webrtc_view import Browser  # noqa: E402

SLOW = int(os.environ.get('VPLANE_SLOWDOWN', '1'))
EV_KEY, EV_REL, EV_ABS = 1, 2, 3
BTN_LEFT, REL_WHEEL, REL_WHEEL_HI_RES = 0x110, 8, 11
# encoders/input_message.h
RATE, BURST = 250, 500

failures = []


def check(cond, what):
    print(('ok ' if cond else 'FAIL ') + what, flush=True)
    if not cond:
        failures.append(what)


class Grab:
    """vp-evdev-grab's output: (t_us, dev, type, code, value) lines."""

    def __init__(self, path):
        self.path = path
        self.mark()

    def mark(self):
        self.pos = os.path.getsize(self.path)

    def since(self):
        with open(self.path) as f:
            f.seek(self.pos)
            text = f.read()
        out = []
        for line in text.splitlines():
            p = line.split()
            if len(p) == 5 and p[0].isdigit():
                out.append((int(p[0]), p[1], int(p[2]), int(p[3]),
                            int(p[4])))
        return out

    def wait(self, pred, seconds):
        deadline = time.monotonic() + seconds * SLOW
        while time.monotonic() < deadline:
            ev = self.since()
            if pred(ev):
                return ev
            time.sleep(0.05)
        return self.since()


def keys_of(ev):
    return [(c, v) for (_, d, t, c, v) in ev if d == 'kbd' and t == EV_KEY]


class Page:
    def __init__(self, browser, url):
        self.b = browser
        self.target = browser.call('Target.createTarget', {'url': url},
                                   timeout=300 * SLOW)['targetId']
        self.s = browser.call('Target.attachToTarget',
                              {'targetId': self.target, 'flatten': True},
                              timeout=120 * SLOW)['sessionId']
        # a headless page has the focus a person's window would
        self.call('Emulation.setFocusEmulationEnabled', {'enabled': True})

    def call(self, method, params=None, timeout=60):
        return self.b.call(method, params, session=self.s,
                           timeout=timeout * SLOW)

    def js(self, expr):
        r = self.call('Runtime.evaluate', {'expression': expr,
                                           'returnByValue': True,
                                           'awaitPromise': True})
        return r['result'].get('value')

    def wait_js(self, expr, seconds):
        deadline = time.monotonic() + seconds * SLOW
        while time.monotonic() < deadline:
            try:
                if self.js(expr):
                    return True
            except RuntimeError as e:
                if 'execution context' not in str(e):
                    raise
            time.sleep(0.5)
        return False

    def key(self, code, down):
        self.call('Input.dispatchKeyEvent',
                  {'type': 'rawKeyDown' if down else 'keyUp', 'code': code,
                   'key': code})

    def mouse(self, kind, x, y, **extra):
        self.call('Input.dispatchMouseEvent',
                  dict({'type': kind, 'x': x, 'y': y}, **extra))

    def at(self, px, py, w, h):
        """The page point over head pixel (px, py)'s centre."""
        r = json.loads(self.js('JSON.stringify(document.getElementById('
                               '"video").getBoundingClientRect())'))
        return (r['left'] + (px + 0.5) * r['width'] / w,
                r['top'] + (py + 0.5) * r['height'] / h)

    def close(self):
        self.b.call('Target.closeTarget', {'targetId': self.target})


def playing(page, seconds):
    ok = page.wait_js('(() => { const v = document.getElementById('
                        '"video"); return window.vplaneState === "playing"'
                        ' && v.videoWidth > 0; })()', seconds)
    if not ok:  # what the page says, for the log
        print('page state: %s' % page.js(
            'window.vplaneState + " (" + document.getElementById('
            '"status").textContent + ")"'))
    return ok


KEYS = [('KeyV', 47), ('KeyP', 25), ('Digit1', 2), ('ShiftLeft', 42),
        ('Enter', 28), ('Space', 57), ('ArrowUp', 103), ('F12', 88),
        ('NumpadEnter', 96), ('MetaLeft', 125)]


def view_only(b, url, grab, w, h):
    page = Page(b, url)
    check(playing(page, 300), 'view-only: the video plays')
    check(page.js('window.vplaneInput') == 'view only',
          'view-only: no input channel offered')
    grab.mark()
    page.key('KeyA', True)
    page.key('KeyA', False)
    x, y = page.at(10, 10, w, h)
    page.mouse('mousePressed', x, y, button='left', buttons=1, clickCount=1)
    page.mouse('mouseReleased', x, y, button='left', clickCount=1)
    time.sleep(3 * SLOW)
    ev = grab.since()
    check(not ev, 'view-only: nothing reached the devices (%d events)'
          % len(ev))
    page.close()


def typing(page, grab):
    grab.mark()
    want = []
    for code, linux in KEYS:
        page.key(code, True)
        page.key(code, False)
        want += [(linux, 1), (linux, 0)]
    ev = grab.wait(lambda e: len(keys_of(e)) >= len(want), 30)
    check(keys_of(ev) == want, 'keys: %s' % keys_of(ev))


def click(page, grab, px, py, w, h):
    grab.mark()
    x, y = page.at(px, py, w, h)
    page.mouse('mouseMoved', x, y)
    page.mouse('mousePressed', x, y, button='left', buttons=1, clickCount=1)
    page.mouse('mouseReleased', x, y, button='left', clickCount=1)
    ev = grab.wait(lambda e: any(t == EV_KEY and c == BTN_LEFT and v == 0
                                 for (_, d, t, c, v) in e), 30)
    ax = ay = None
    at_press = None
    buttons = []
    for (_, d, t, c, v) in ev:
        if d != 'ptr':
            continue
        if t == EV_ABS and c == 0:
            ax = v
        elif t == EV_ABS and c == 1:
            ay = v
        elif t == EV_KEY and c == BTN_LEFT:
            buttons.append(v)
            if v == 1:
                at_press = (ax, ay)
    check(buttons == [1, 0], 'click (%d,%d): BTN_LEFT %s' % (px, py, buttons))
    if at_press and None not in at_press:
        # what the guest makes of it (driver/ABI.md: 0..32767 spans the
        # head): floor(v * size / 32768)
        gx, gy = at_press[0] * w // 32768, at_press[1] * h // 32768
        check(abs(gx - px) <= 1 and abs(gy - py) <= 1,
              'click (%d,%d): lands on guest pixel (%d,%d) (abs %d,%d)'
              % (px, py, gx, gy, at_press[0], at_press[1]))
    else:
        check(False, 'click (%d,%d): no position before the press' %
              (px, py))


def wheel(page, grab, w, h):
    grab.mark()
    x, y = page.at(w // 2, h // 2, w, h)
    # one notch of a mouse wheel in Chromium: 100 pixels, deltaMode 0
    page.mouse('mouseWheel', x, y, deltaX=0, deltaY=100)
    ev = grab.wait(lambda e: any(t == EV_REL and c == REL_WHEEL
                                 for (_, d, t, c, v) in e), 30)
    lo = sum(v for (_, d, t, c, v) in ev if t == EV_REL and c == REL_WHEEL)
    hi = sum(v for (_, d, t, c, v) in ev
             if t == EV_REL and c == REL_WHEEL_HI_RES)
    check(lo == -1 and hi == -120,
          'wheel: one notch down: REL_WHEEL %d, REL_WHEEL_HI_RES %d' %
          (lo, hi))


FLOOD_JS = '''(() => {
  const ch = window.vplaneInputChannel;
  const msg = (bytes) => ch.send(new Uint8Array(bytes).buffer);
  const t0 = performance.now();
  for (let i = 0; i < 200; i++)             // malformed: random bytes
    msg(Array.from({ length: 1 + (i % 12) }, () => (i * 37 + 11) & 255));
  for (let i = 0; i < 20; i++)              // oversized
    ch.send(new Uint8Array(4096).fill(1).buffer);
  for (const c of [0, 249, 300, 0x110, 65535])   // unknown key codes
    msg([1, 1, c & 255, c >> 8, 1]);
  for (let i = 0; i < 50; i++)              // far outside the head
    msg([1, 3, 0x60, 0xea, 0x60, 0xea]);
  msg([1, 9]);                              // unknown type
  msg([2, 1, 30, 0, 1]);                    // unknown version
  ch.send("{\\"v\\":1,\\"type\\":\\"key\\"}");  // text: not the format
  for (let i = 0; i < 3000; i++)            // a flood of motion
    msg([1, 3, i % 64, 0, 5, 0]);
  return performance.now() - t0;
})()'''


def flood(page, grab, pid_alive):
    time.sleep(2)  # the budget refills to its burst
    grab.mark()
    t0 = time.monotonic()
    page.js(FLOOD_JS)
    time.sleep(3 * SLOW)
    elapsed = time.monotonic() - t0
    ev = grab.since()
    motions = sum(1 for (_, d, t, c, v) in ev if t == EV_ABS and c == 0)
    keys = keys_of(ev)
    bound = BURST + RATE * elapsed
    check(not keys, 'flood: no key from unknown codes (%s)' % keys)
    check(0 < motions <= bound,
          'flood: %d of 3000 motions passed in %.1f s (budget %d)' %
          (motions, elapsed, bound))
    check(pid_alive(), 'flood: vplaned lives on')
    time.sleep(2)
    grab.mark()
    page.key('KeyZ', True)
    page.key('KeyZ', False)
    ev = grab.wait(lambda e: len(keys_of(e)) >= 2, 30)
    check(keys_of(ev) == [(44, 1), (44, 0)], 'flood: a key after it: %s'
          % keys_of(ev))


def latency(page, grab, n):
    lat = []
    for _ in range(n):
        grab.mark()
        t0 = time.monotonic_ns() // 1000
        page.key('KeyL', True)
        ev = grab.wait(lambda e: (38, 1) in keys_of(e), 10)
        down = [t for (t, d, ty, c, v) in ev
                if d == 'kbd' and ty == EV_KEY and c == 38 and v == 1]
        page.key('KeyL', False)
        grab.wait(lambda e: (38, 0) in keys_of(e), 10)
        if down:
            lat.append((down[0] - t0) / 1000.0)
    check(len(lat) == n, 'latency: %d of %d presses arrived' % (len(lat), n))
    if lat:
        lat.sort()
        p50 = lat[len(lat) // 2]
        p99 = lat[min(len(lat) - 1, (len(lat) * 99) // 100)]
        print('# figure webrtc input latency (Chromium dispatch to evdev, '
              'TCG): p50 %.1f ms p99 %.1f ms over %d presses'
              % (p50, p99, len(lat)), flush=True)


def mid_keypress(b, page, grab):
    grab.mark()
    page.key('KeyA', True)
    ev = grab.wait(lambda e: (30, 1) in keys_of(e), 30)
    check((30, 1) in keys_of(ev), 'mid-keypress: KEY_A down')
    # the page would release on blur or when hidden: silence it, so the
    # release seen is vplaned's for a viewer that is gone
    page.js('window.vplaneInputChannel.send = () => {}; true')
    page.close()
    ev = grab.wait(lambda e: (30, 0) in keys_of(e), 60)
    check((30, 0) in keys_of(ev), 'mid-keypress: KEY_A up after the tab '
          'closed: %s' % keys_of(ev))


def main():
    base, head, view_tok, ctl_tok, grab_log, w, h = sys.argv[1:8]
    w, h = int(w), int(h)
    presses = 20
    only_latency = '--only-latency' in sys.argv
    if '--presses' in sys.argv:
        presses = int(sys.argv[sys.argv.index('--presses') + 1])
    vp_pid = int(os.environ.get('VPLANED_PID', '0'))

    def pid_alive():
        try:
            os.kill(vp_pid, 0)
            return True
        except OSError:
            return False
    sys.stdout.reconfigure(line_buffering=True)
    grab = Grab(grab_log)
    profile = '/tmp/vp-chromium-input'
    t0 = time.monotonic()
    try:
        b = Browser(profile, grab_log + '-chromium.log', 300 * SLOW)
    except OSError as e:
        print('cannot start chromium: %s' % e)
        return 2
    try:
        if not only_latency:
            view_only(b, '%s/?token=%s#%s' % (base, view_tok, head), grab,
                      w, h)
        page = Page(b, '%s/?token=%s#%s' % (base, ctl_tok, head))
        check(playing(page, 300), 'control: the video plays')
        check(page.wait_js('window.vplaneInput === "open"', 60),
              'control: the input channel is open')
        print('chromium ready after %.0f s' % (time.monotonic() - t0))
        page.js('document.getElementById("video").focus(); true')
        if not only_latency:
            typing(page, grab)
            click(page, grab, 100, 60, w, h)
            click(page, grab, w - 1, h - 1, w, h)
            wheel(page, grab, w, h)
            flood(page, grab, pid_alive)
        latency(page, grab, presses)
        if not only_latency:
            mid_keypress(b, page, grab)
    except RuntimeError as e:
        print('chromium: %s' % e)
        b.close()
        return 2
    b.close()
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
