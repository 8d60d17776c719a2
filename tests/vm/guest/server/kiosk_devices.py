#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The kiosk tests' devices (kiosk_input.py, kiosk_bench.py): uinput
devices that libinput (inside vplaned) takes as the seat's, and the
vGPUs' evdev devices held as a VMM holds them.

Event times are CLOCK_MONOTONIC on both sides: Uinput's writes return
time.monotonic() taken just before the write, and Grabbed switches its
node to the monotonic clock (EVIOCSCLOCKID), so the kernel's time of
each event it records compares with them directly.
"""
import fcntl
import os
import select
import struct
import sys
import time

EV_SYN, EV_KEY, EV_REL, EV_ABS = 0, 1, 2, 3
ABS_X, ABS_Y = 0, 1
REL_X, REL_Y, REL_HWHEEL, REL_WHEEL = 0, 1, 6, 8
REL_HWHEEL_HI_RES, REL_WHEEL_HI_RES = 12, 11
BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_TOUCH = 0x110, 0x111, 0x112, 0x14a
INPUT_PROP_DIRECT = 1
KEY_ESC, KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_N = 1, 30, 48, 46, 32, 18, 33, 49
KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_LEFTALT = 29, 42, 56
MODS = (KEY_LEFTCTRL, KEY_LEFTALT, KEY_LEFTSHIFT)
EVENT = struct.Struct('llHHi')
EVIOCGRAB = 0x40044590
UI_SET_EVBIT, UI_SET_KEYBIT, UI_SET_RELBIT, UI_SET_ABSBIT = (
    0x40045564, 0x40045565, 0x40045566, 0x40045567)
UI_SET_PROPBIT = 0x4004556e
UI_DEV_CREATE, UI_DEV_DESTROY = 0x5501, 0x5502
UI_GET_SYSNAME_64 = 0x8040552c  # _IOC(_IOC_READ, 'U', 44, 64)
EVIOCSCLOCKID = 0x400445a0
EVIOCGKEY_96 = 0x80604518  # _IOC(_IOC_READ, 'E', 0x18, KEY_CNT / 8)
CLOCK_MONOTONIC = 1
SLOW = int(os.environ.get('VPLANE_SLOWDOWN', '1'))


def fail(msg):
    print('FAIL: ' + msg, flush=True)
    sys.exit(1)


class Uinput:
    """A uinput device: keys, relative axes (rels), and an absolute
    pointer if abs_max; a touchscreen if also direct."""

    def __init__(self, name, keys, abs_max=None, rels=(), direct=False):
        self.name = name
        self.fd = os.open('/dev/uinput', os.O_WRONLY | os.O_NONBLOCK)
        fcntl.ioctl(self.fd, UI_SET_EVBIT, EV_KEY)
        for k in keys:
            fcntl.ioctl(self.fd, UI_SET_KEYBIT, k)
        if direct:
            fcntl.ioctl(self.fd, UI_SET_PROPBIT, INPUT_PROP_DIRECT)
        if rels:
            fcntl.ioctl(self.fd, UI_SET_EVBIT, EV_REL)
            for r in rels:
                fcntl.ioctl(self.fd, UI_SET_RELBIT, r)
        absmax = [0] * 64
        if abs_max:
            fcntl.ioctl(self.fd, UI_SET_EVBIT, EV_ABS)
            for axis, top in zip((ABS_X, ABS_Y), abs_max):
                fcntl.ioctl(self.fd, UI_SET_ABSBIT, axis)
                absmax[axis] = top
        # struct uinput_user_dev: name, id, ff_effects_max, abs arrays
        dev = struct.pack('80sHHHHi', name.encode(), 0x06, 0x1234,
                          0x5677 + (abs_max is not None) + 2 * bool(rels)
                          + 4 * direct,
                          1, 0)
        dev += struct.pack('64i', *absmax) + bytes(4 * 64 * 3)
        os.write(self.fd, dev)
        fcntl.ioctl(self.fd, UI_DEV_CREATE)

    def emit(self, *events):
        """Writes events and a SYN_REPORT in one write; returns
        time.monotonic() just before it."""
        data = b''.join(EVENT.pack(0, 0, t, c, v) for t, c, v in events)
        data += EVENT.pack(0, 0, EV_SYN, 0, 0)
        when = time.monotonic()
        os.write(self.fd, data)
        return when

    def key(self, code, value):
        return self.emit((EV_KEY, code, value))

    def tap(self, code):
        self.key(code, 1)
        self.key(code, 0)

    def move(self, x, y):
        self.emit((EV_ABS, ABS_X, x), (EV_ABS, ABS_Y, y))

    def move_by(self, dx, dy):
        self.emit((EV_REL, REL_X, dx), (EV_REL, REL_Y, dy))

    def click(self, code=BTN_LEFT):
        self.key(code, 1)
        self.key(code, 0)

    def event_node(self):
        """The /dev/input/eventN the kernel made for this device."""
        name = fcntl.ioctl(self.fd, UI_GET_SYSNAME_64, bytes(64))
        sysdir = '/sys/devices/virtual/input/' + \
            name.split(b'\0', 1)[0].decode()
        nodes = [n for n in os.listdir(sysdir) if n.startswith('event')]
        if len(nodes) != 1:
            fail(f'{self.name}: event nodes {nodes} in {sysdir}')
        return '/dev/input/' + nodes[0]

    def destroy(self):
        fcntl.ioctl(self.fd, UI_DEV_DESTROY)
        os.close(self.fd)


class Grabbed:
    """A vplane evdev device held as a VMM holds it (or, grab=False,
    any evdev device read beside its other readers); records events and
    their kernel times on CLOCK_MONOTONIC."""

    def __init__(self, label, path, grab=True):
        self.label = label
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        fcntl.ioctl(self.fd, EVIOCSCLOCKID, struct.pack('i', CLOCK_MONOTONIC))
        if grab:
            fcntl.ioctl(self.fd, EVIOCGRAB, 1)
        self.events = []  # (type, code, value), SYN left out
        self.times = []  # each event's time, seconds (time.monotonic())

    def read(self):
        while True:
            try:
                data = os.read(self.fd, EVENT.size * 64)
            except BlockingIOError:
                return
            for i in range(0, len(data), EVENT.size):
                sec, usec, t, c, v = EVENT.unpack_from(data, i)
                if t != EV_SYN:
                    self.events.append((t, c, v))
                    self.times.append(sec + usec / 1e6)

    def keys(self, start=0):
        return [(c, v) for t, c, v in self.events[start:] if t == EV_KEY]

    def last_abs(self):
        pos = {}
        for t, c, v in self.events:
            if t == EV_ABS:
                pos[c] = v
        return pos.get(ABS_X), pos.get(ABS_Y)

    def rels(self, start=0):
        return [(c, v) for t, c, v in self.events[start:] if t == EV_REL]

    def keys_down(self):
        """The codes the device holds down now (EVIOCGKEY)."""
        state = fcntl.ioctl(self.fd, EVIOCGKEY_96, bytes(96))
        return [8 * i + b for i, byte in enumerate(state)
                for b in range(8) if byte >> b & 1]


devices = []


def pump(seconds):
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        select.select([d.fd for d in devices], [], [], left)
        for d in devices:
            d.read()


def wait_until(what, cond, seconds=10, retry=None):
    """Until cond() holds, calling retry() (if any) every second."""
    end = time.monotonic() + seconds * SLOW
    while time.monotonic() < end:
        if retry:
            retry()
        for _ in range(5):
            pump(0.2)
            if cond():
                return
    for d in devices:
        print(f'# {d.label} got {d.events}')
    fail(what)


def hand_over(rdir, done, then, what, seconds=180):
    """Writes the file DIR/done and reads the devices until DIR/then
    exists: the calling script's turn (it restarts or stops vplaned
    between the parts of a test); fails with @what after @seconds."""
    with open(os.path.join(rdir, done), 'w'):
        pass
    end = time.monotonic() + seconds * SLOW
    while not os.path.exists(os.path.join(rdir, then)):
        if time.monotonic() > end:
            fail(what)
        pump(0.2)
