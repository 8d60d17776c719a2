#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The kiosk's input latency, with a same-run baseline (kiosk_bench.sh
runs it; issue 15 "Figures").

Holds a vGPU's keyboard and head 0 pointer grabbed as a VMM holds them
(kiosk_devices.Grabbed) and times each press from its write to its
arrival there, both on CLOCK_MONOTONIC: the write is time.monotonic()
taken just before it, the arrival is the event's own kernel time on
the vGPU's evdev device (EVIOCSCLOCKID), which the input core stamps
when the driver injects it, so a late reader adds nothing.

1. Kiosk: a uinput keyboard and two absolute mice, one with a middle
   button (as most mice have) and one without (libinput then emulates
   the middle button by default, holding a left or right press back),
   the seat's devices for vplaned's libinput; the pointer is put over
   the head first (focus follows it). N key presses (press, release; 26
   letters in turn, so an event out of order shows), N clicks of each
   mouse (left and right in turn), one event at a time: each written
   once the one before arrived, then GAP_S. The kiosk keyboard's own
   evdev node is read too (not grabbed): its event times split the
   path into the uinput hop and the rest (libinput, vplaned, the
   driver's injection).
2. Writes DIR/kiosk-done and waits for DIR/vplaned-stopped.
3. Baseline: the same keys and clicks written straight into the same
   devices by vp-input-send (VPLANE_DISPLAY_INPUT, the ioctl vplaned's
   input core ends in), timed from just before its ioctl.

Sanity only, no timing bound: every event arrives exactly once and in
order, nothing arrives that was not sent, and no key or button is left
down afterwards. Prints '# ' figure lines: p50, p99, max and count per
path and event kind, and the kiosk/baseline ratios.

usage: kiosk_bench.py UUID DIR N VP_INPUT_SEND
"""
import os
import subprocess
import sys
import time

from kiosk_devices import (
    BTN_LEFT, BTN_MIDDLE, BTN_RIGHT, EV_ABS, EV_KEY, SLOW, Grabbed, Uinput,
    devices, fail, hand_over, pump, wait_until)

# q..p, a..l, z..m: 26 keys that are no part of a reserved combination
LETTERS = list(range(16, 26)) + list(range(30, 39)) + list(range(44, 51))
BUTTONS = [BTN_LEFT, BTN_RIGHT]
GAP_S = 0.02  # between one event's arrival and the next write
ARRIVAL_S = 10  # an event not there after this (times VPLANE_SLOWDOWN)


def key_events(dev, start=0):
    """(index, code, value) of @dev's EV_KEY events from @start."""
    return [(i, dev.events[i][1], dev.events[i][2])
            for i in range(start, len(dev.events))
            if dev.events[i][0] == EV_KEY]


def arrival(dev, start, code, value, what):
    """The time of the first key event on @dev at or after index
    @start, which must be (code, value); fails if none comes."""
    end = time.monotonic() + ARRIVAL_S * SLOW
    while time.monotonic() < end:
        got = key_events(dev, start)
        if got:
            i, c, v = got[0]
            if (c, v) != (code, value):
                fail(f'{what}: {dev.label} got ({c}, {v}) first, '
                     f'want ({code}, {value})')
            return dev.times[i]
        pump(0.01)
    fail(f'{what}: ({code}, {value}) never reached {dev.label}')


def presses(what, dev, codes, write):
    """Each code in @codes pressed and released with write(code, value)
    (which returns its write time), one event at a time; the press
    latencies in ms, and the write times of the presses."""
    lat, writes = [], []
    for n, code in enumerate(codes):
        for value in (1, 0):
            start = len(dev.events)
            t = write(code, value)
            got = arrival(dev, start, code, value, f'{what} {n}')
            if value == 1:
                lat.append((got - t) * 1000)
                writes.append(t)
            pump(GAP_S)
    return lat, writes


def exactly(what, dev, start, codes):
    """@dev got exactly @codes pressed and released in order since
    @start, and nothing more for a second; holds nothing down."""
    pump(1 * SLOW)
    want = [(c, v) for c in codes for v in (1, 0)]
    got = [(c, v) for _, c, v in key_events(dev, start)]
    if got != want:
        i = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                 min(len(got), len(want)))
        fail(f'{what}: {dev.label} got {len(got)} key events for '
             f'{len(want)} sent; from event {i} got {got[i:i + 3]}, '
             f'want {want[i:i + 3]}')
    # the pointer may be told where it is again; nothing else was sent
    others = [e for e in dev.events[start:] if e[0] not in (EV_KEY, EV_ABS)]
    if others:
        fail(f'{what}: {dev.label} got events nobody sent: {others[:5]}')
    down = dev.keys_down()
    if down:
        fail(f'{what}: {dev.label} holds {down} down afterwards')


def stats(lat):
    """Nearest-rank p50 and p99 (as tests/vm/guest/percentile.h), max."""
    v = sorted(lat)
    n = len(v)
    return v[n // 2], v[min(n * 99 // 100, n - 1)], v[-1]


def figure(label, lat):
    p50, p99, top = stats(lat)
    print(f'# {label}, {len(lat)} presses: p50 {p50:.2f} ms '
          f'p99 {p99:.2f} ms max {top:.2f} ms', flush=True)
    return p50, p99


def ratio(a, b):
    return f'{a / b:.1f}x' if b > 0 else 'n/a'


def head_x(x):
    """The ABS value the vGPU's pointer gets for pixel column x of the
    1024x768 head (shown 1:1)."""
    return (2 * x + 1) * 32768 // (2 * 1024)


def seat_follows(mouse, ptr_dev, x):
    """Until the seat forwards @mouse: moved to (x, 384), the vGPU's
    pointer gets there (a repeated value is no event: alternate)."""
    flip = [0]

    def jiggle():
        flip[0] ^= 1
        mouse.move(x + flip[0], 384)
        mouse.move(x, 384)
    wait_until(f'{mouse.name}: the pointer never reached the vGPU',
               lambda: ptr_dev.last_abs()[0] == head_x(x), 60, jiggle)


def clicks_of(what, mouse, ptr_dev, n):
    """N clicks of @mouse (left and right in turn): their latencies."""
    buttons = [BUTTONS[i % 2] for i in range(n)]
    mark = len(ptr_dev.events)
    lat, _ = presses(what, ptr_dev, buttons, mouse.key)
    exactly(what, ptr_dev, mark, buttons)
    return lat


def kiosk(kbd_dev, ptr_dev, n):
    """The kiosk part: key press, click (a mouse with a middle button, as
    most have, and one without), uinput hop latencies."""
    kbd = Uinput('vp-bench keyboard', LETTERS)
    mouse = Uinput('vp-bench mouse', BUTTONS + [BTN_MIDDLE], (1023, 767))
    # libinput emulates a middle button on a mouse without one (by
    # default): it holds a left or right press back to see whether the
    # other button follows
    mouse2 = Uinput('vp-bench two-button mouse', BUTTONS, (1023, 767))
    own = Grabbed('kiosk keyboard', kbd.event_node(), grab=False)
    devices.append(own)
    # the seat picks the devices up (udev, libinput); keys follow the
    # pointer to the head
    start = time.monotonic()
    seat_follows(mouse2, ptr_dev, 600)
    seat_follows(mouse, ptr_dev, 512)
    pump(1 * SLOW)
    print(f'# seat ready after {time.monotonic() - start:.1f} s', flush=True)

    codes = [LETTERS[i % len(LETTERS)] for i in range(n)]
    mark = len(kbd_dev.events), len(own.events)
    keys, writes = presses('kiosk key', kbd_dev, codes, kbd.key)
    exactly('kiosk keys', kbd_dev, mark[0], codes)
    own_keys = [i for i, c, v in key_events(own, mark[1]) if v == 1]
    if len(own_keys) != n:
        fail(f'the kiosk keyboard\'s own node got {len(own_keys)} presses '
             f'of {n}')
    hop = [(own.times[i] - t) * 1000 for i, t in zip(own_keys, writes)]
    clicks = clicks_of('kiosk click', mouse, ptr_dev, n)
    clicks2 = clicks_of('kiosk two-button click', mouse2, ptr_dev, n)
    devices.remove(own)
    os.close(own.fd)
    for dev in (kbd, mouse, mouse2):
        dev.destroy()
    return keys, clicks, clicks2, hop


def baseline(uuid, send, kbd_dev, ptr_dev, n):
    proc = subprocess.Popen([send, '--uuid', uuid], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, bufsize=1)
    if proc.stdout.readline().strip() != 'ready':
        fail('vp-input-send did not take the ack role')

    def writer(device):
        def write(code, value):
            proc.stdin.write(f'{device} {EV_KEY} {code} {value}\n')
            proc.stdin.flush()
            ans = proc.stdout.readline().split()
            if len(ans) != 2 or ans[0] != 'ok':
                fail(f'vp-input-send: {" ".join(ans)}')
            return float(ans[1])
        return write

    codes = [LETTERS[i % len(LETTERS)] for i in range(n)]
    mark = len(kbd_dev.events), len(ptr_dev.events)
    keys, _ = presses('direct key', kbd_dev, codes, writer('kbd'))
    exactly('direct keys', kbd_dev, mark[0], codes)
    buttons = [BUTTONS[i % 2] for i in range(n)]
    clicks, _ = presses('direct click', ptr_dev, buttons, writer('head0'))
    exactly('direct clicks', ptr_dev, mark[1], buttons)
    proc.stdin.close()
    if proc.wait(timeout=30 * SLOW) != 0:
        fail(f'vp-input-send exited with {proc.returncode}')
    return keys, clicks


def main():
    uuid, rdir, n, send = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        sys.argv[4]
    if n < 1:
        fail('N must be at least 1')
    by = '/dev/input/by-vplane/' + uuid
    kbd_dev = Grabbed('vGPU keyboard', by + '-kbd')
    ptr_dev = Grabbed('vGPU pointer', by + '-head0')
    devices.extend([kbd_dev, ptr_dev])

    start = time.monotonic()
    k_keys, k_clicks, k_clicks2, hop = kiosk(kbd_dev, ptr_dev, n)
    print(f'# kiosk part: {time.monotonic() - start:.1f} s', flush=True)
    hand_over(rdir, 'kiosk-done', 'vplaned-stopped', 'vplaned was not stopped')
    start = time.monotonic()
    d_keys, d_clicks = baseline(uuid, send, kbd_dev, ptr_dev, n)
    print(f'# direct part: {time.monotonic() - start:.1f} s', flush=True)

    clock = 'write (CLOCK_MONOTONIC) to the evdev event\'s own time'
    kk = figure(f'kiosk key press: uinput {clock} on the vGPU keyboard',
                k_keys)
    kc = figure(f'kiosk click: uinput {clock} on the vGPU pointer',
                k_clicks)
    kc2 = figure(f'kiosk click, two-button mouse (libinput\'s middle-button '
                 f'emulation): uinput {clock} on the vGPU pointer', k_clicks2)
    figure(f'kiosk key press, uinput hop only: {clock} on the kiosk '
           f'keyboard\'s own node', hop)
    dk = figure(f'baseline key press: VPLANE_DISPLAY_INPUT {clock} on the '
                f'vGPU keyboard', d_keys)
    dc = figure(f'baseline click: VPLANE_DISPLAY_INPUT {clock} on the '
                f'vGPU pointer', d_clicks)
    print(f'# kiosk/baseline: key p50 {ratio(kk[0], dk[0])} p99 '
          f'{ratio(kk[1], dk[1])}; click p50 {ratio(kc[0], dc[0])} p99 '
          f'{ratio(kc[1], dc[1])}; two-button click p50 '
          f'{ratio(kc2[0], dc[0])} p99 {ratio(kc2[1], dc[1])}', flush=True)
    print('PASS: kiosk bench', flush=True)


if __name__ == '__main__':
    main()
