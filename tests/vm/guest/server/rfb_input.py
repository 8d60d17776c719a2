#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A VNC client that sends input: RFB 3.8 (RFC 6143), no authentication.

Debian 12 has no vncdotool; gvncviewer needs a display. This speaks
just enough RFB to send what a VNC viewer sends for typing and
clicking, the way real viewers send it (keysyms; Shift_L pressed
around capitals and shifted symbols, as a US-layout X keyboard does).

  rfb_input.py [--host H] [--port P] ACTION...

ACTIONs, in order:
  type:TEXT        type printable ASCII (US layout)
  key:NAME[+NAME]  a chord: pressed in order, released in reverse
  down:NAME        press only;  up:NAME  release only
  move:X,Y         pointer to (X, Y), no button
  click:X,Y[,B]    move, press button B (1 left, 2 middle, 3 right;
                   default 1), release
  wheel:up|down    one wheel step
  sleep:SECONDS    wait
  pause            print "paused" and wait until killed (a client that
                   goes mid-keypress: kill it with SIGKILL)
NAMEs: a printable character, or Return Tab BackSpace Escape Delete
space Shift_L Control_L Alt_L Super_L Left Up Right Down F1..F12.

Prints "connected WIDTHxHEIGHT NAME" after the handshake. At the end it
half-closes and waits for the server to close, so nothing sent is lost
to a reset. Exit status 0, or 1 with a message on stderr.
"""
import argparse
import socket
import struct
import sys
import time

NAMED = {
    'Return': 0xff0d, 'Tab': 0xff09, 'BackSpace': 0xff08,
    'Escape': 0xff1b, 'Delete': 0xffff, 'space': 0x20,
    'Shift_L': 0xffe1, 'Control_L': 0xffe3, 'Alt_L': 0xffe9,
    'Super_L': 0xffeb, 'Left': 0xff51, 'Up': 0xff52, 'Right': 0xff53,
    'Down': 0xff54,
}
NAMED.update({'F%d' % i: 0xffbe + i - 1 for i in range(1, 13)})
# what a US layout types with Shift held
SHIFTED = set('ABCDEFGHIJKLMNOPQRSTUVWXYZ~!@#$%^&*()_+{}|:"<>?')
BUTTON_MASK = {1: 1, 2: 2, 3: 4}
WHEEL_MASK = {'up': 8, 'down': 16}


class RfbError(Exception):
    pass


class Rfb:
    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.x = self.y = 0
        self.buttons = 0

    def recv_exact(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RfbError('server closed during the handshake')
            data += chunk
        return data

    def handshake(self):
        version = self.recv_exact(12)
        if not version.startswith(b'RFB 003.'):
            raise RfbError('not an RFB server: %r' % version)
        self.sock.sendall(b'RFB 003.008\n')
        (count,) = struct.unpack('!B', self.recv_exact(1))
        if count == 0:
            (length,) = struct.unpack('!I', self.recv_exact(4))
            raise RfbError('refused: %s' % self.recv_exact(length).decode(
                errors='replace'))
        types = self.recv_exact(count)
        if 1 not in types:
            raise RfbError('no "None" security type (offered %s); '
                           'this client does no authentication' % list(types))
        self.sock.sendall(struct.pack('!B', 1))
        (result,) = struct.unpack('!I', self.recv_exact(4))
        if result != 0:
            raise RfbError('security handshake failed (%d)' % result)
        self.sock.sendall(struct.pack('!B', 1))  # shared
        width, height = struct.unpack('!HH', self.recv_exact(4))
        self.recv_exact(16)  # pixel format
        (length,) = struct.unpack('!I', self.recv_exact(4))
        if length > 4096:
            raise RfbError('desktop name of %d bytes' % length)
        name = self.recv_exact(length).decode(errors='replace')
        return width, height, name

    def key(self, keysym, down):
        self.sock.sendall(struct.pack('!BBxxI', 4, 1 if down else 0, keysym))

    def pointer(self, x, y, mask):
        if not (0 <= x <= 0xffff and 0 <= y <= 0xffff):
            raise RfbError('position %d,%d out of range' % (x, y))
        self.sock.sendall(struct.pack('!BBHH', 5, mask, x, y))
        self.x, self.y, self.buttons = x, y, mask

    def finish(self, timeout):
        """Half-close, then read (and drop) until the server closes."""
        self.sock.shutdown(socket.SHUT_WR)
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(65536):
                pass
        except (socket.timeout, ConnectionResetError):
            pass
        self.sock.close()


def keysym(name):
    if name in NAMED:
        return NAMED[name]
    if len(name) == 1 and 0x20 <= ord(name) <= 0x7e:
        return ord(name)  # Latin-1 keysyms are their code points
    raise RfbError('unknown key name %r' % name)


def type_text(rfb, text):
    for ch in text:
        sym = keysym(ch)
        shift = ch in SHIFTED
        if shift:
            rfb.key(NAMED['Shift_L'], True)
        rfb.key(sym, True)
        rfb.key(sym, False)
        if shift:
            rfb.key(NAMED['Shift_L'], False)


def position(arg):
    parts = arg.split(',')
    if len(parts) not in (2, 3):
        raise RfbError('want X,Y[,BUTTON], got %r' % arg)
    return [int(p) for p in parts]


def run(rfb, action):
    verb, _, arg = action.partition(':')
    if verb == 'type':
        type_text(rfb, arg)
    elif verb == 'key':
        syms = [keysym(n) for n in arg.split('+')]
        for sym in syms:
            rfb.key(sym, True)
        for sym in reversed(syms):
            rfb.key(sym, False)
    elif verb in ('down', 'up'):
        rfb.key(keysym(arg), verb == 'down')
    elif verb == 'move':
        x, y = position(arg)[:2]
        rfb.pointer(x, y, rfb.buttons)
    elif verb == 'click':
        pos = position(arg)
        button = BUTTON_MASK.get(pos[2] if len(pos) == 3 else 1)
        if button is None:
            raise RfbError('button must be 1, 2 or 3: %r' % arg)
        rfb.pointer(pos[0], pos[1], 0)
        rfb.pointer(pos[0], pos[1], button)
        rfb.pointer(pos[0], pos[1], 0)
    elif verb == 'wheel':
        if arg not in WHEEL_MASK:
            raise RfbError('wheel:up or wheel:down, not %r' % arg)
        rfb.pointer(rfb.x, rfb.y, WHEEL_MASK[arg])
        rfb.pointer(rfb.x, rfb.y, 0)
    elif verb == 'sleep':
        time.sleep(float(arg))
    elif verb == 'pause':
        print('paused', flush=True)
        while True:
            time.sleep(3600)
    else:
        raise RfbError('unknown action %r' % action)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=5900)
    parser.add_argument('--timeout', type=float, default=30.0)
    parser.add_argument('actions', nargs='+')
    args = parser.parse_args()
    try:
        rfb = Rfb(args.host, args.port, args.timeout)
        width, height, name = rfb.handshake()
        print('connected %dx%d %s' % (width, height, name), flush=True)
        for action in args.actions:
            run(rfb, action)
        rfb.finish(args.timeout)
    except (OSError, RfbError, ValueError) as e:
        print('rfb_input: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
