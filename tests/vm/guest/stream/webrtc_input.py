#!/usr/bin/env python3
# A person at the viewer page, typing and clicking into the VM: headless
# Chromium (driven over DevTools, as webrtc_view.py) opens the viewer
# page with a view-only token, then with a control token, and sends
# keys, clicks and the wheel with Input.dispatchKeyEvent and
# Input.dispatchMouseEvent; vp-evdev-grab (the VMM's side of the vGPU's
# input devices) writes what reaches the devices to GRAB_LOG, read here.
#   webrtc_input.py URL_BASE HEAD VIEW_TOKEN CONTROL_TOKEN GRAB_LOG W H
#                   [--presses N] [--only-latency | --takeover]
# URL_BASE is http://ADDRESS:PORT, HEAD <vgpu>/<n>, W x H the head's
# mode. Checks, in order (each prints "ok ..." or "FAIL ..."):
#   keys: exact Linux codes, down then up, in order;
#   click: at two known head pixels, the absolute position maps back to
#     the same pixel (+-1) and BTN_LEFT goes down and up there;
#   wheel: one notch down is REL_WHEEL -1 and REL_WHEEL_HI_RES -120;
#   flood: malformed, oversized, unknown codes, far positions and 3000
#     motions at once: no key, motion within the budget, a key after;
#   latency: N presses, dispatch to the evdev event's timestamp (both
#     CLOCK_MONOTONIC), "# figure" with p50/p99;
#   view-only: keys and a click reach nothing;
#   second controller (vplaned's default input-control first): a second
#     control page's key is refused while the first controls the head;
#   mid-keypress: a key down, the page's own releases silenced, the tab
#     closed: the key comes up (vplaned releases for the gone viewer);
#     then the second page's key arrives (the head is free again).
# --takeover (vplaned with --input-control last): a second control
# page's press takes the head over, the first's held key released
# first; each takes it back by pressing.
# Exit 0 if all passed, 1 if a check failed, 2 if Chromium failed.
#
# For other tests, a person at one page (see send_main below):
#   webrtc_input.py send 'http://HOST:PORT/?token=T#<vgpu>/<head>' \
#       type=hello key=Enter click=100,60 wheel=1 sleep=1
import json
import os
import shutil
import sys
import tempfile
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


# Chromium's first RTCPeerConnection in a renderer loads and starts its
# whole WebRTC stack; under TCG on a loaded machine that took longer than
# vplaned's 60 s deadline for an answer to its offer (the cause of this
# test's first failures: the view-only page, without a data channel, as
# much as the control one). So each page first runs a loopback
# connection (video and a data channel, like vplaned's offer) in its own
# origin and renderer, with no head named (no WebSocket to vplaned), and
# only then loads the viewer's URL.
WARM_JS = '''(async () => {
  const t0 = performance.now();
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  a.onicecandidate = (e) => { if (e.candidate) b.addIceCandidate(e.candidate); };
  b.onicecandidate = (e) => { if (e.candidate) a.addIceCandidate(e.candidate); };
  const open = new Promise((r) => { b.ondatachannel = (e) => {
    e.channel.onopen = r; }; });
  a.createDataChannel("warm");
  a.addTransceiver("video", { direction: "sendonly" });
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription);
  await open;
  a.close(); b.close();
  return performance.now() - t0;
})()'''


# Each document's signalling, timed (performance.now(), ms): when its
# WebSocket opened, the offer came, the answer went, the video played;
# what says where the time goes when a page is slow.
TIMELINE_JS = '''(() => {
  const t = window.vplaneTimeline = [];
  const mark = (what) => t.push(what + " " + (performance.now() / 1000)
                                .toFixed(1) + " s");
  const WS = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new WS(...args);
    ws.addEventListener("open", () => mark("ws-open"));
    ws.addEventListener("message", (e) => {
      try { const m = JSON.parse(e.data);
            if (m.type !== "candidate") mark(m.type); } catch (err) {}
    });
    ws.addEventListener("close", (e) => mark("ws-closed " + e.reason));
    const send = ws.send.bind(ws);
    ws.send = (data) => {
      try { if (JSON.parse(data).type === "answer") mark("answer"); }
      catch (err) {}
      return send(data);
    };
    return ws;
  };
  document.addEventListener("playing", () => mark("playing"), true);
})()'''


class Page:
    def __init__(self, browser, url):
        self.b = browser
        # the viewer page of the same origin, no head: it stops at once
        warm = url.split('#')[0] + '#'
        self.target = browser.call('Target.createTarget', {'url': warm},
                                   timeout=300 * SLOW)['targetId']
        self.s = browser.call('Target.attachToTarget',
                              {'targetId': self.target, 'flatten': True},
                              timeout=120 * SLOW)['sessionId']
        # a headless page has the focus a person's window would; the
        # first calls wait for a new renderer's start (over 60 s seen)
        self.call('Emulation.setFocusEmulationEnabled', {'enabled': True},
                  timeout=300)
        self.call('Page.enable', timeout=300)
        self.call('Page.addScriptToEvaluateOnNewDocument',
                  {'source': TIMELINE_JS}, timeout=300)
        t0 = time.monotonic()
        if not self.wait_js('window.vplaneState === "error"', 300):
            raise RuntimeError('the page did not load: %s' % self.state())
        ms = self.js(WARM_JS, 300)
        print('page warm-up: load %.1f s, loopback WebRTC %.1f s' %
              (time.monotonic() - t0 - ms / 1000, ms / 1000), flush=True)
        self.call('Page.navigate', {'url': url})

    def state(self):
        try:
            return self.js('window.vplaneState + " (" + document.'
                           'getElementById("status").textContent + ")"')
        except RuntimeError as e:
            return str(e)

    def call(self, method, params=None, timeout=60):
        return self.b.call(method, params, session=self.s,
                           timeout=timeout * SLOW)

    def js(self, expr, timeout=60):
        r = self.call('Runtime.evaluate', {'expression': expr,
                                           'returnByValue': True,
                                           'awaitPromise': True},
                      timeout=timeout)
        return r['result'].get('value')

    def wait_js(self, expr, seconds):
        deadline = time.monotonic() + seconds * SLOW
        while time.monotonic() < deadline:
            try:
                if self.js(expr):
                    return True
            except RuntimeError as e:
                if 'context' not in str(e):
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
    """The video plays; False at once if the page gave up (closed or
    error: vplaned does not wait for it any more)."""
    ok = page.wait_js('(() => { const v = document.getElementById('
                      '"video"); if (window.vplaneState === "closed" || '
                      'window.vplaneState === "error") return true; '
                      'return window.vplaneState === "playing"'
                      ' && v.videoWidth > 0; })()', seconds)
    ok = ok and page.js('window.vplaneState') == 'playing'
    if not ok:  # what the page says, for the log
        print('page state: %s' % page.state())
    print('page timeline: %s' % page.js('(window.vplaneTimeline || [])'
                                        '.join(", ")'))
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
    # behind the flood's 3300 messages, which took vplaned ~50 s to
    # refuse under TCG on a loaded host
    ev = grab.wait(lambda e: len(keys_of(e)) >= 2, 120)
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


def mid_keypress(page, grab):
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


def open_control(b, url, what):
    page = Page(b, url)
    check(playing(page, 300), '%s: the video plays' % what)
    check(page.wait_js('window.vplaneInput === "open"', 60),
          '%s: the input channel is open' % what)
    page.js('document.getElementById("video").focus(); true')
    return page


def tap(page, grab, code, linux, seconds):
    """Press and release @code on @page; the keys that arrived."""
    grab.mark()
    page.key(code, True)
    page.key(code, False)
    return keys_of(grab.wait(lambda e: (linux, 0) in keys_of(e), seconds))


def second_first(b, url, first, grab):
    """input-control first: a second control viewer is refused while the
    first controls the head, and takes it once the first is gone."""
    second = open_control(b, url, 'second controller')
    got = tap(second, grab, 'KeyB', 48, 5)
    check(not got, 'input-control first: the second viewer\'s key is '
          'refused while the first controls (%s)' % got)
    got = tap(first, grab, 'KeyF', 33, 30)
    check(got == [(33, 1), (33, 0)], 'input-control first: the first '
          'viewer keeps the head: %s' % got)
    return second


def takeover(b, url, grab):
    """input-control last: the newest viewer that presses takes the head
    over; what the one before held is released; it takes it back by
    pressing again."""
    first = open_control(b, url, 'first controller')
    grab.mark()
    first.key('KeyA', True)
    ev = grab.wait(lambda e: (30, 1) in keys_of(e), 30)
    check((30, 1) in keys_of(ev), 'takeover: the first viewer holds KEY_A')
    second = open_control(b, url, 'second controller')
    grab.mark()
    second.key('KeyB', True)
    second.key('KeyB', False)
    ev = grab.wait(lambda e: (48, 0) in keys_of(e), 30)
    check(keys_of(ev) == [(30, 0), (48, 1), (48, 0)],
          'takeover: the second viewer\'s press takes the head, the '
          'first\'s KEY_A released first: %s' % keys_of(ev))
    # the page still holds KeyA: its own release is not the guest's
    first.key('KeyA', False)
    got = tap(first, grab, 'KeyC', 46, 30)
    check(got == [(46, 1), (46, 0)], 'takeover: the first viewer takes it '
          'back by pressing: %s' % got)
    got = tap(second, grab, 'KeyD', 32, 30)
    check(got == [(32, 1), (32, 0)], 'takeover: and the second again: %s'
          % got)
    second.close()
    first.close()


# For other tests: a person at the page, from the command line.
US = {' ': 'Space', '\n': 'Enter', '\t': 'Tab', '-': 'Minus', '=': 'Equal',
      '[': 'BracketLeft', ']': 'BracketRight', ';': 'Semicolon',
      "'": 'Quote', '`': 'Backquote', '\\': 'Backslash', ',': 'Comma',
      '.': 'Period', '/': 'Slash'}
US_SHIFTED = {'!': '1', '@': '2', '#': '3', '$': '4', '%': '5', '^': '6',
              '&': '7', '*': '8', '(': '9', ')': '0', '_': '-', '+': '=',
              '{': '[', '}': ']', ':': ';', '"': "'", '~': '`', '|': '\\',
              '<': ',', '>': '.', '?': '/'}


def us_code(ch):
    """(KeyboardEvent.code, shift) typing @ch on a US keyboard."""
    shift = ch in US_SHIFTED or ch.isupper()
    ch = US_SHIFTED.get(ch, ch).lower()
    if 'a' <= ch <= 'z':
        return 'Key' + ch.upper(), shift
    if '0' <= ch <= '9':
        return 'Digit' + ch, shift
    if ch in US:
        return US[ch], shift
    raise ValueError('no US key types %r' % ch)


def send_main(args):
    """webrtc_input.py send PAGE_URL ACTION...: open PAGE_URL (the viewer
    page with a control token: http://HOST:PORT/?token=T#<vgpu>/<head>)
    in headless Chromium and, once its input channel is open, do each
    ACTION in turn through DevTools (as a person's keyboard and mouse):
      type=TEXT      type TEXT (US layout; Shift for capitals and symbols)
      key=CODE       press and release KeyboardEvent.code CODE (Enter, F1)
      click=X,Y      left click at head pixel X,Y (the page maps it)
      wheel=N        N notches down (negative: up)
      sleep=S        wait S seconds
    Prints "ready after N s", "sent ACTION at T" for each (T: the
    time.monotonic() just before its first DevTools call, the clock of
    the same host's event readers) and "done"; exit 0, 1 if the page did not
    play or its input channel did not open, 2 if Chromium failed. The
    same clock and the same 300 s x VPLANE_SLOWDOWN start budget as the
    test."""
    if len(args) < 2:
        print(send_main.__doc__)
        return 2
    url, actions = args[0], args[1:]
    sys.stdout.reconfigure(line_buffering=True)
    t0 = time.monotonic()
    profile = tempfile.mkdtemp(prefix='vp-chromium-send-')
    b = Browser(profile, os.path.join(profile, 'chromium.log'), 300 * SLOW)
    try:
        page = open_control(b, url, 'send')
        if failures:
            return 1
        print('ready after %.0f s' % (time.monotonic() - t0))
        size = json.loads(page.js('JSON.stringify([document.getElementById('
                                  '"video").videoWidth, document.'
                                  'getElementById("video").videoHeight])'))
        for action in actions:
            verb, _, arg = action.partition('=')
            t = time.monotonic()
            if verb == 'type':
                for ch in arg:
                    code, shift = us_code(ch)
                    if shift:
                        page.key('ShiftLeft', True)
                    page.key(code, True)
                    page.key(code, False)
                    if shift:
                        page.key('ShiftLeft', False)
            elif verb == 'key':
                page.key(arg, True)
                page.key(arg, False)
            elif verb == 'click':
                px, py = (int(v) for v in arg.split(','))
                x, y = page.at(px, py, size[0], size[1])
                page.mouse('mouseMoved', x, y)
                page.mouse('mousePressed', x, y, button='left', buttons=1,
                           clickCount=1)
                page.mouse('mouseReleased', x, y, button='left',
                           clickCount=1)
            elif verb == 'wheel':
                x, y = page.at(size[0] // 2, size[1] // 2, size[0], size[1])
                page.mouse('mouseWheel', x, y, deltaX=0,
                           deltaY=100 * int(arg))
            elif verb == 'sleep':
                time.sleep(float(arg))
            else:
                print('unknown action %s' % action)
                return 2
            print('sent %s at %.6f' % (action, t))
        # a moment for the channel to carry the last message out
        time.sleep(1)
        print('done')
        return 0
    except RuntimeError as e:
        print('chromium: %s' % e)
        return 2
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)


def start_browser(grab_log):
    profile = '/tmp/vp-chromium-input'
    return Browser(profile, grab_log + '-chromium.log', 300 * SLOW)


def main():
    if sys.argv[1:2] == ['send']:
        return send_main(sys.argv[2:])
    base, head, view_tok, ctl_tok, grab_log, w, h = sys.argv[1:8]
    w, h = int(w), int(h)
    presses = 20
    only_latency = '--only-latency' in sys.argv
    only_takeover = '--takeover' in sys.argv
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
    t0 = time.monotonic()
    try:
        b = start_browser(grab_log)
    except OSError as e:
        print('cannot start chromium: %s' % e)
        return 2
    view_url = '%s/?token=%s#%s' % (base, view_tok, head)
    ctl_url = '%s/?token=%s#%s' % (base, ctl_tok, head)
    try:
        if only_takeover:
            takeover(b, ctl_url, grab)
            b.close()
            return 1 if failures else 0
        page = open_control(b, ctl_url, 'control')
        print('chromium ready after %.0f s' % (time.monotonic() - t0))
        if not only_latency:
            typing(page, grab)
            click(page, grab, 100, 60, w, h)
            click(page, grab, w - 1, h - 1, w, h)
            wheel(page, grab, w, h)
            flood(page, grab, pid_alive)
        latency(page, grab, presses)
        if not only_latency:
            # after the control page: the first viewer of a head (its
            # encoder started for it) got no offer in the VM runs, see
            # docs/streaming.md; this checks the view-only path itself
            view_only(b, view_url, grab, w, h)
            second = second_first(b, ctl_url, page, grab)
            mid_keypress(page, grab)
            got = tap(second, grab, 'KeyG', 34, 30)
            check(got == [(34, 1), (34, 0)], 'input-control first: the '
                  'second viewer has the head once the first is gone: %s'
                  % got)
            second.close()
    except RuntimeError as e:
        print('chromium: %s' % e)
        b.close()
        return 2
    b.close()
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
