"""Virtual input devices through /dev/uinput (the kernel's uinput module),
written with plain ioctls so that the tests need no extra library: a
keyboard and an absolute tablet like the ones a VMM attaches to a guest.

    kbd = Device.keyboard("l2 test keyboard")
    kbd.path                         # /dev/input/eventN
    kbd.emit([(EV_KEY, KEY_A, 1)])   # events, then one SYN_REPORT
"""

import fcntl
import os
import struct
import time

EV_SYN, EV_KEY, EV_ABS = 0x00, 0x01, 0x03
SYN_REPORT = 0
ABS_X, ABS_Y = 0x00, 0x01
BTN_LEFT, BTN_RIGHT, BTN_MIDDLE = 0x110, 0x111, 0x112
KEY_ESC, KEY_A, KEY_LEFTSHIFT, KEY_ENTER = 1, 30, 42, 28
ABS_MAX = 32767
BUS_VIRTUAL = 0x06

# <linux/uinput.h>: _IOW('U', n, int) and friends
UI_DEV_CREATE = 0x5501
UI_DEV_DESTROY = 0x5502
UI_DEV_SETUP = 0x405C5503   # struct uinput_setup (92 bytes)
UI_ABS_SETUP = 0x401C5504   # struct uinput_abs_setup (28 bytes)
UI_SET_EVBIT = 0x40045564
UI_SET_KEYBIT = 0x40045565
UI_SET_ABSBIT = 0x40045567


def ui_get_sysname(length: int) -> int:
    """UI_GET_SYSNAME(len): _IOC(_IOC_READ, 'U', 44, len)"""
    return (2 << 30) | (length << 16) | (ord("U") << 8) | 44


EVENT = struct.Struct("llHHi")  # struct input_event on 64-bit


class Device:
    def __init__(self, name: str, keys, abs_axes=(), product: int = 1):
        self.fd = os.open("/dev/uinput", os.O_WRONLY | os.O_NONBLOCK)
        if keys:
            fcntl.ioctl(self.fd, UI_SET_EVBIT, EV_KEY)
            for k in keys:
                fcntl.ioctl(self.fd, UI_SET_KEYBIT, k)
        if abs_axes:
            fcntl.ioctl(self.fd, UI_SET_EVBIT, EV_ABS)
            for axis in abs_axes:
                fcntl.ioctl(self.fd, UI_SET_ABSBIT, axis)
                # code, pad, value, min, max, fuzz, flat, resolution
                fcntl.ioctl(self.fd, UI_ABS_SETUP, struct.pack(
                    "HxxiiiiiI", axis, 0, 0, ABS_MAX, 0, 0, 0))
        setup = struct.pack("HHHH80sI", BUS_VIRTUAL, 0x1234, product, 1,
                            name.encode()[:79], 0)
        fcntl.ioctl(self.fd, UI_DEV_SETUP, setup)
        fcntl.ioctl(self.fd, UI_DEV_CREATE)
        self.path = self._event_node()

    @classmethod
    def keyboard(cls, name: str = "vplane l2 test keyboard"):
        # every key of a PC keyboard (KEY_ESC .. KEY_MICMUTE)
        return cls(name, range(KEY_ESC, 249), product=1)

    @classmethod
    def tablet(cls, name: str = "vplane l2 test tablet"):
        return cls(name, [BTN_LEFT, BTN_RIGHT, BTN_MIDDLE], [ABS_X, ABS_Y],
                   product=2)

    def _event_node(self) -> str:
        buf = bytearray(64)
        fcntl.ioctl(self.fd, ui_get_sysname(len(buf)), buf)
        sysname = bytes(buf).split(b"\0", 1)[0].decode()
        sysdir = f"/sys/devices/virtual/input/{sysname}"
        for _ in range(100):  # devtmpfs makes the node shortly after
            events = [e for e in os.listdir(sysdir) if e.startswith("event")]
            if events and os.path.exists(f"/dev/input/{events[0]}"):
                return f"/dev/input/{events[0]}"
            time.sleep(0.05)
        raise OSError(f"uinput device {sysname} got no /dev/input node")

    def emit(self, events) -> float:
        """Write (type, code, value) events and a SYN_REPORT; the
        time.monotonic() just before the write."""
        data = b"".join(EVENT.pack(0, 0, t, c, v) for t, c, v in events)
        data += EVENT.pack(0, 0, EV_SYN, SYN_REPORT, 0)
        t = time.monotonic()
        os.write(self.fd, data)
        return t

    def close(self):
        if self.fd >= 0:
            fcntl.ioctl(self.fd, UI_DEV_DESTROY)
            os.close(self.fd)
            self.fd = -1
