#!/usr/bin/env python3
# Check a grim PPM capture of a vplaned output against the frame that
# examples/vgpu-sim (draw.c) draws, pixel for pixel. An 8-bit RGB(A)
# PNG (gvnccapture's output) is read too.
#   frame_check.py CAPTURE.ppm [HEAD]      -> prints "frame N", exit 0 if exact
#   frame_check.py CAPTURE.ppm --black     -> exit 0 if every pixel is black
#   frame_check.py CAPTURE.ppm --placeholder [TEXT] -> exit 0 if it is
#       vplaned's placeholder: a dark blue-grey field with light text,
#       nothing else; prints the label read back with server/placeholder.c's
#       own font, and with TEXT its reason line must be TEXT
# The frame number comes from the capture (the 16x16 bit blocks at y 16,
# checked against the raw stamp in row 0); the timestamp blocks at y 32
# are read back the same way. The stamp's 4th bytes (X channel) are not
# in an RGB capture, so row 0's first 8 pixels are checked for the bytes
# that are.
import collections
import os
import re
import struct
import sys
import zlib

BARS = [(255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0),
        (255, 0, 255), (255, 0, 0), (0, 0, 255), (32, 32, 32)]
MAGIC = 0x504d5453


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def read_png(data):
    pos, idat, hdr = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b'IHDR':
            hdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit('unsupported PNG (depth %d, colour type %d, interlace %d)'
                 % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    out, prev = bytearray(), bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            c = prev[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + (0, a, prev[i], (a + prev[i]) // 2,
                                  paeth(a, prev[i], c))[f]) & 0xff
        out += line if bpp == 3 else bytes(
            v for i in range(0, stride, 4) for v in line[i:i + 3])
        prev = line
    return w, h, bytes(out)


def read_ppm(path):
    data = open(path, 'rb').read()
    if data[:8] == b'\x89PNG\r\n\x1a\n':
        return read_png(data)
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b'#':
            pos = data.index(b'\n', pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b'P6' or int(fields[3]) != 255:
        sys.exit('not an 8-bit P6 PPM: %s' % path)
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos:pos + w * h * 3]


def read_bits(px, w, y):
    v = 0
    for i in range(min(32, w // 16)):
        p = px[(y + 8) * w + i * 16 + 8]
        if p == (255, 255, 255):
            v |= 1 << i
        elif p != (0, 0, 0):
            sys.exit('bit block %d at y %d is %r, not black/white' % (i, y, p))
    return v


def expected(w, h, frame, ts_ms, head):
    bar_w = w // 8 or 1
    row = []
    for x in range(w):
        r, g, b = BARS[((x + frame * 4) // bar_w) % 8]
        row.append((r, g >> (head & 1), b))
    img = [list(row) for _ in range(h)]

    def fill(x0, y0, rw, rh, c):
        if x0 >= w or y0 >= h:
            return
        for y in range(y0, min(h, y0 + rh)):
            for x in range(x0, min(w, x0 + rw)):
                img[y][x] = c

    box = 64
    span = w - box if w > box else 1
    bx = frame * 7 % (2 * span)
    bx = bx if bx < span else 2 * span - bx
    span = h - box - 48 if h > box + 48 else 1
    by = frame * 5 % (2 * span)
    by = 48 + (by if by < span else 2 * span - by)
    fill(bx, by, box, box, (0, 0, 0))
    fill(bx + 8, by + 8, box - 16, box - 16, (255, 128, 0))
    for y0, val in ((16, frame), (32, ts_ms)):
        for i in range(32):
            fill(i * 16, y0, 16, 16,
                 (255, 255, 255) if val >> i & 1 else (0, 0, 0))
    return img


def placeholder_font():
    """{glyph rows: character} from server/placeholder.c's font table."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       '..', '..', '..', '..', 'server', 'placeholder.c')
    font = {}
    with open(src) as f:
        for ch, rows in re.findall(r"\['(.)'\] = \{([^}]*)\}", f.read()):
            font[tuple(int(r, 16) for r in rows.split(','))] = ch
    font[(0,) * 7] = ' '
    return font


def read_label(w, h, px, is_text):
    """The placeholder's text lines (pixels of colour is_text): 5x7 glyphs
    in 6-pixel cells at an integer scale, centred; scale and origin found
    from the lit pixels."""
    font = placeholder_font()
    lit = []
    for y in range(h):
        row = px[y * w:(y + 1) * w]
        lit.append([p == is_text for p in row] if is_text in row
                   else [False] * w)
    rows = [y for y in range(h) if any(lit[y])]
    if not rows:
        return []
    runs = []
    for y in rows:
        x = 0
        while x < w:
            if lit[y][x]:
                n = 0
                while x + n < w and lit[y][x + n]:
                    n += 1
                runs.append(n)
                x += n
            else:
                x += 1
    scale = min(runs)
    lines, y = [], rows[0]
    while y < h:
        if not any(lit[y]):
            y += 1
            continue
        xs = [x for yy in range(y, min(h, y + 7 * scale))
              for x in range(w) if lit[yy][x]]
        best = None
        for shift in range(5):
            x0 = min(xs) - shift * scale
            text, bad = '', 0
            for cx in range(x0, max(xs) + 1, 6 * scale):
                key = tuple(sum(16 >> c for c in range(5)
                                if 0 <= cx + c * scale < w and
                                lit[y + r * scale][cx + c * scale])
                            for r in range(7) if y + r * scale < h)
                ch = font.get(key)
                bad += ch is None
                text += ch or '?'
            if best is None or bad < best[0]:
                best = (bad, text.strip())
        lines.append(best[1])
        y += 7 * scale
    return lines


def check_placeholder(w, h, px, want=None):
    # server/placeholder.c: background (0.12, 0.16, 0.24), text 0.90 grey
    counts = collections.Counter(px)  # C speed: TCG guests are slow
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    bg = ranked[0][0]
    text = ranked[1][0] if len(ranked) > 1 else None
    near = lambda p, q: all(abs(a - b) <= 2 for a, b in zip(p, q))
    ok = (near(bg, (31, 41, 61)) and text is not None
          and near(text, (230, 230, 230)) and len(ranked) == 2
          and 0 < ranked[1][1] < w * h // 3)
    label = read_label(w, h, px, text) if ok else []
    print('%dx%d placeholder: %d colours, background %r, text %r on %d '
          'pixels, label %r' % (w, h, len(ranked), bg, text,
                                ranked[1][1] if text else 0,
                                ' / '.join(label)))
    if ok and want is not None and (len(label) < 2 or label[1] != want):
        print('reason %r, expected %r' % (label[1:] or None, want))
        ok = False
    return 0 if ok else 1


def main():
    w, h, raw = read_ppm(sys.argv[1])
    px = list(zip(raw[0::3], raw[1::3], raw[2::3]))
    if len(sys.argv) > 2 and sys.argv[2] == '--black':
        bad = sum(1 for p in px if p != (0, 0, 0))
        print('%dx%d, %d non-black pixels' % (w, h, bad))
        return 0 if bad == 0 else 1
    if len(sys.argv) > 2 and sys.argv[2] == '--placeholder':
        return check_placeholder(w, h, px,
                                 sys.argv[3] if len(sys.argv) > 3 else None)
    head = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    # stamp bytes visible in RGB: pixel k carries bytes 4k..4k+2 as B,G,R
    stamp = bytearray(32)
    for k in range(8):
        r, g, b = px[k]
        stamp[4 * k:4 * k + 3] = bytes((b, g, r))
    le = lambda o: int.from_bytes(stamp[o:o + 4], 'little')
    if le(0) & 0xffffff != MAGIC & 0xffffff:
        print('no stamp in row 0 (got %08x)' % le(0))
        return 1
    frame = read_bits(px, w, 16)
    ts_ms = read_bits(px, w, 32)
    if le(4) & 0xffffff != frame & 0xffffff or le(20) & 0xffffff != w or \
            le(24) & 0xffffff != h or le(16) & 0xffffff != head:
        print('stamp (frame %u, %ux%u, head %u) disagrees with capture '
              '(frame %u, %ux%u, head %u)' % (le(4) & 0xffffff,
              le(20) & 0xffffff, le(24) & 0xffffff, le(16) & 0xffffff,
              frame, w, h, head))
        return 1
    exp = expected(w, h, frame, ts_ms, head)
    bad, first = 0, None
    for y in range(h):
        for x in range(w):
            if y == 0 and x < 8:
                continue
            if px[y * w + x] != exp[y][x]:
                bad += 1
                first = first or (x, y, px[y * w + x], exp[y][x])
    print('frame %u: %dx%d, %d of %d pixels differ%s' % (
        frame, w, h, bad, w * h - 8,
        '' if not first else ' (first at %d,%d: %r, expected %r)' % first))
    return 0 if bad == 0 else 1


sys.exit(main())
