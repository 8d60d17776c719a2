#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The kiosk's seat, end to end (kiosk_input.sh runs it).

Plays the person at the kiosk with uinput devices that libinput (inside
vplaned) takes as the seat's: a keyboard, an absolute mouse with a wheel
(ranges 0..1023 x 0..767 over a 1024x768 output, so a device value is
the output pixel) and a relative mouse. Plays the VMM by grabbing
(EVIOCGRAB, as QEMU's input-linux does) the evdev devices vplane.ko made
for two vGPUs, A (512x300, letterboxed: drawn 2x at 0,84 in 1024x600)
and B (1024x768, scanned out directly), and checks what arrives there.

Two parts. The first runs against a vplaned that follows the pointer,
started before the devices were made (they are hotplugged). Then it
writes DIR/part1-done and waits for DIR/restarted: kiosk_input.sh has
restarted vplaned with --seat-focus click, so in the second part the
devices were there before vplaned started.

usage: kiosk_input.py UUID_A UUID_B DIR
Prints "# ..." lines; exits 1 with "FAIL: ..." on the first failure.
"""
import sys
import time

from kiosk_devices import (
    ABS_X, ABS_Y, BTN_LEFT, BTN_RIGHT, BTN_TOUCH, EV_ABS, EV_KEY, EV_REL,
    KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_ESC, KEY_F, KEY_N, MODS,
    REL_HWHEEL, REL_HWHEEL_HI_RES, REL_WHEEL, REL_WHEEL_HI_RES, REL_X, REL_Y,
    SLOW, Grabbed, Uinput, devices, fail, hand_over, pump, wait_until)


def pixel(value, size):
    # how the guest maps the pointer's 0..32767 (input.h)
    return value * size // 32768


def check_click(ptr, x, y, w, h):
    ax, ay = ptr.last_abs()
    if ax is None or ay is None:
        fail(f'{ptr.label}: no position before the click')
    got = (pixel(ax, w), pixel(ay, h))
    print(f'# {ptr.label}: click at head pixel {got}, want ({x}, {y})')
    if abs(got[0] - x) > 1 or abs(got[1] - y) > 1:
        fail(f'{ptr.label}: the click landed at {got}, not ({x}, {y}) +-1')


def check_at(ptr, x, y, w, h, what):
    """The last position @ptr got is head pixel (x, y) +-1."""
    ax, ay = ptr.last_abs()
    got = (pixel(ax, w), pixel(ay, h)) if ax is not None else None
    print(f'# {ptr.label}: {what} at head pixel {got}, want ({x}, {y})')
    if got is None or abs(got[0] - x) > 1 or abs(got[1] - y) > 1:
        fail(f'{ptr.label}: {what} at {got}, not ({x}, {y}) +-1')


def combo(kbd, key):
    for m in MODS:
        kbd.key(m, 1)
    kbd.tap(key)
    for m in reversed(MODS):
        kbd.key(m, 0)


def main():
    ua, ub, rdir = sys.argv[1], sys.argv[2], sys.argv[3]
    by = '/dev/input/by-vplane/'
    a_kbd = Grabbed('A keyboard', by + ua + '-kbd')
    a_ptr = Grabbed('A pointer', by + ua + '-head0')
    b_kbd = Grabbed('B keyboard', by + ub + '-kbd')
    b_ptr = Grabbed('B pointer', by + ub + '-head0')
    devices.extend([a_kbd, a_ptr, b_kbd, b_ptr])
    letters = [KEY_ESC, KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_N]
    kbd = Uinput('vp-test keyboard', letters + list(MODS))
    mouse = Uinput('vp-test mouse', [BTN_LEFT, BTN_RIGHT], (1023, 767),
                   (REL_WHEEL, REL_HWHEEL))
    rel = Uinput('vp-test relative mouse', [BTN_LEFT, BTN_RIGHT], None,
                 (REL_X, REL_Y))
    touch = Uinput('vp-test touchscreen', [BTN_TOUCH], (1023, 767),
                   direct=True)
    # ready for libinput (udev tagged them) once vplaned follows them
    start = time.monotonic()

    # A's head pixel (150, 100) is output pixel (300, 84 + 200)
    flip = [0]

    def jiggle():  # a repeated value is no event: alternate
        flip[0] ^= 1
        mouse.move(300 + flip[0], 284)
        mouse.move(300, 284)
    want_x = (2 * 150 + 1) * 32768 // (2 * 512)
    wait_until('the pointer over head A never reached A',
               lambda: a_ptr.last_abs()[0] == want_x, 60, jiggle)
    print(f'# seat follows the devices after {time.monotonic() - start:.1f} s')
    kbd.tap(KEY_A)
    wait_until('A did not get the key typed over it',
               lambda: (KEY_A, 0) in a_kbd.keys())
    mouse.key(BTN_LEFT, 1)
    mouse.key(BTN_LEFT, 0)
    wait_until('A did not get the click',
               lambda: (BTN_LEFT, 0) in a_ptr.keys())
    check_click(a_ptr, 150, 100, 512, 300)

    # the pointer leaves the head (a letterbox bar) while a key is down
    kbd.key(KEY_B, 1)
    wait_until('A did not get the key pressed',
               lambda: (KEY_B, 1) in a_kbd.keys())
    mouse.move(300, 20)
    wait_until('leaving head A did not release the key held there',
               lambda: (KEY_B, 0) in a_kbd.keys())
    kbd.key(KEY_B, 0)
    print('# pointer off the head: the held key was released')

    # "next": the output shows B; the combination's key reaches nobody
    # back onto A (at another pixel: the same values would be no event),
    # through before the keys, which come from another device
    mouse.move(310, 290)
    want_x = (2 * 155 + 1) * 32768 // (2 * 512)
    wait_until('the pointer back over head A did not reach A',
               lambda: a_ptr.last_abs()[0] == want_x)
    mark_a = len(a_kbd.events)
    combo(kbd, KEY_N)
    # B's head pixel (700, 500) is output pixel (700, 500)
    want_x = (2 * 700 + 1) * 32768 // (2 * 1024)
    wait_until('after the next combination the pointer never reached B',
               lambda: b_ptr.last_abs()[0] == want_x, 20,
               lambda: (mouse.move(701, 500), mouse.move(700, 500)))
    got = a_kbd.keys(mark_a)
    print(f'# next combination: A got {got}')
    if any(c == KEY_N for c, _ in got + b_kbd.keys()):
        fail('the next combination\'s key reached a VM')
    for m in MODS:
        if (m, 1) not in got or (m, 0) not in got:
            fail(f'modifier {m} not pressed and released on A')

    # a keyboard plugged in now types into B; A gets nothing more
    mark_a = (len(a_kbd.events), len(a_ptr.events))
    kbd2 = Uinput('vp-test keyboard 2', letters + list(MODS))
    wait_until('the hotplugged keyboard never typed into B',
               lambda: (KEY_C, 0) in b_kbd.keys(), 60,
               lambda: kbd2.tap(KEY_C))
    mouse.key(BTN_LEFT, 1)
    mouse.key(BTN_LEFT, 0)
    wait_until('B did not get the click',
               lambda: (BTN_LEFT, 0) in b_ptr.keys())
    check_click(b_ptr, 700, 500, 1024, 768)
    if (len(a_kbd.events), len(a_ptr.events)) != mark_a:
        fail(f'A got input meant for B: {a_kbd.events[mark_a[0]:]} '
             f'{a_ptr.events[mark_a[1]:]}')
    print('# focus moved to B: keys and the click went to B only')

    # the wheel: a detent up and one right, as evdev counts them
    mark = len(b_ptr.events)
    mouse.emit((EV_REL, REL_WHEEL, 1))
    mouse.emit((EV_REL, REL_HWHEEL, 1))
    wait_until('B did not get the wheel',
               lambda: len(b_ptr.rels(mark)) >= 4)
    got = b_ptr.rels(mark)
    want = [(REL_WHEEL, 1), (REL_WHEEL_HI_RES, 120), (REL_HWHEEL, 1),
            (REL_HWHEEL_HI_RES, 120)]
    print(f'# wheel up and right: B got {got}')
    if sorted(got) != sorted(want):
        fail(f'the wheel reached B as {got}, want {want}')

    # a touchscreen: a tap is a click where the finger is
    mark = len(b_ptr.events)

    def tap():
        touch.emit((EV_ABS, ABS_X, 200), (EV_ABS, ABS_Y, 150),
                   (EV_KEY, BTN_TOUCH, 1))
        touch.emit((EV_KEY, BTN_TOUCH, 0))
    wait_until('a tap on the touchscreen never reached B',
               lambda: (BTN_LEFT, 0) in b_ptr.keys(mark), 30, tap)
    check_at(b_ptr, 200, 150, 1024, 768, 'the tap')
    touch.destroy()

    # "release": everything let go, nothing forwarded until a click
    mark_b, mark_ptr = len(b_kbd.events), len(b_ptr.events)
    combo(kbd2, KEY_ESC)
    kbd2.tap(KEY_D)
    mouse.move(650, 400)
    pump(2 * SLOW)
    if len(b_ptr.events) != mark_ptr:
        fail(f'B got pointer input after the release combination: '
             f'{b_ptr.events[mark_ptr:]}')
    mouse.key(BTN_LEFT, 1)
    mouse.key(BTN_LEFT, 0)
    # two devices: libinput may read one before the other; the key
    # follows the click once the click is through
    wait_until('the click after a release was not forwarded',
               lambda: (BTN_LEFT, 0) in b_ptr.keys(mark_ptr))
    kbd2.tap(KEY_E)
    wait_until('after release and a click, B did not get the key',
               lambda: (KEY_E, 0) in b_kbd.keys(mark_b))
    got = b_kbd.keys(mark_b)
    print(f'# release combination, D, click, E: B got {got}')
    if any(c in (KEY_ESC, KEY_D) for c, _ in got):
        fail('the release combination or a key typed after it reached B')
    for m in MODS:
        if (m, 1) not in got or (m, 0) not in got:
            fail(f'modifier {m} not pressed and released on B')

    # unplugging a keyboard with a key down releases it
    kbd2.key(KEY_F, 1)
    wait_until('B did not get the key pressed',
               lambda: (KEY_F, 1) in b_kbd.keys())
    kbd2.destroy()
    wait_until('unplugging the keyboard left the key down in B',
               lambda: (KEY_F, 0) in b_kbd.keys())
    print('# keyboard unplugged with a key down: released')

    # vplaned restarted with --seat-focus click: the keyboard and both
    # mice were there before it started; A is shown again
    hand_over(rdir, 'part1-done', 'restarted', 'vplaned was not restarted')
    click_focus(kbd, mouse, rel, a_kbd, a_ptr, b_kbd, b_ptr)
    kbd.destroy()
    mouse.destroy()
    print('PASS: kiosk input', flush=True)


def click_focus(kbd, mouse, rel, a_kbd, a_ptr, b_kbd, b_ptr):
    """The second part: focus on click, devices older than vplaned."""
    start = time.monotonic()
    mark_a = len(a_ptr.events)
    flip = [0]

    def click_a():  # a repeated value is no event: alternate
        flip[0] ^= 1
        mouse.move(300 + flip[0], 284)
        mouse.move(300, 284)
        mouse.click()
    wait_until('a click over head A never reached A (devices older than '
               'vplaned, click focus)',
               lambda: (BTN_LEFT, 0) in a_ptr.keys(mark_a), 60, click_a)
    print(f'# devices older than vplaned: a click after '
          f'{time.monotonic() - start:.1f} s')
    check_at(a_ptr, 150, 100, 512, 300, 'the focusing click')
    kbd.tap(KEY_A)
    wait_until('A, clicked, did not get the key',
               lambda: (KEY_A, 0) in a_kbd.keys(mark_a))

    # off the head (a letterbox bar) the focus stays: keys still go to A,
    # the pointer's motion does not
    mark_a = (len(a_kbd.events), len(a_ptr.events))
    mouse.move(300, 20)
    kbd.tap(KEY_C)
    wait_until('with click focus, leaving head A took the focus away',
               lambda: (KEY_C, 0) in a_kbd.keys(mark_a[0]))
    if a_ptr.events[mark_a[1]:]:
        fail(f'A got the pointer over the bar: {a_ptr.events[mark_a[1]:]}')
    print('# click focus: off the head, A still gets the keys')

    # "next" shows B unfocused: neither the pointer over it nor a key
    # before the click reaches it
    mark_ptr = len(b_ptr.events)
    combo(kbd, KEY_N)
    mouse.move(700, 500)
    pump(2 * SLOW)
    mark = (len(a_kbd.events), len(b_kbd.events), mark_ptr)
    kbd.tap(KEY_E)
    pump(1 * SLOW)
    if b_ptr.events[mark_ptr:]:
        fail(f'B got the pointer before a click: {b_ptr.events[mark_ptr:]}')
    # the relative mouse clicks: B has the focus and the click
    rel.click()
    wait_until('a click of the relative mouse over B never reached B',
               lambda: (BTN_LEFT, 0) in b_ptr.keys(mark[2]))
    check_at(b_ptr, 700, 500, 1024, 768, 'the focusing click')
    kbd.tap(KEY_F)
    wait_until('B, clicked, did not get the key',
               lambda: (KEY_F, 0) in b_kbd.keys(mark[1]))
    if any(c == KEY_E for c, _ in a_kbd.keys(mark[0]) + b_kbd.keys(mark[1])):
        fail('a key typed before the click reached a VM')
    print('# click focus: next shows B unfocused, a click focuses it')

    # the relative mouse against the output's edges: where it stops is
    # exact whatever libinput's acceleration made of the motion
    for dx, x, y in ((-4000, 0, 0), (4000, 1023, 767)):
        mark = len(b_ptr.events)
        rel.move_by(dx, dx)
        wait_until(f'B got no motion of the relative mouse ({dx})',
                   lambda: any(t == EV_ABS for t, _, _ in
                               b_ptr.events[mark:]))
        pump(0.5)
        check_at(b_ptr, x, y, 1024, 768, f'relative motion by {dx}')

    # unplugging a mouse with a button down releases the button
    mark = len(b_ptr.events)
    rel.key(BTN_RIGHT, 1)
    wait_until('B did not get the button pressed',
               lambda: (BTN_RIGHT, 1) in b_ptr.keys(mark))
    rel.destroy()
    wait_until('unplugging the mouse left the button down in B',
               lambda: (BTN_RIGHT, 0) in b_ptr.keys(mark))
    print('# mouse unplugged with a button down: released')


if __name__ == '__main__':
    main()
