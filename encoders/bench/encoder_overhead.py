#!/usr/bin/env python3
# Encoder overhead benchmark (issue 7, "Benchmarks"): the per-frame cost
# of vplaned's encoding path (encoders/, through vp-encode-bench: memfd
# frames, no copy) against gst-launch-1.0 running the same chain (the
# elements and properties vp-encode-bench --describe prints, built by
# the same encoder_chain.c) on the same raw frames read from files, at
# each size, in the same run. A figure, not a timed test.
#
#   encoder_overhead.py VP-ENCODE-BENCH [--sizes WxH,...] [--reps R]
#
# Each side runs as its own process, twice per repetition: with SMALL
# and with BIG frames. The per-frame cost is the difference over the
# difference in frames, so process start, plugin loading, encoder
# probing and drawing the frames cancel out; CPU is the child's user +
# system time (wait4), wall its elapsed time. The ratio is the median
# over the repetitions of encoders/ / gst-launch. Both sides write the
# encoded stream to a file; for the same input and settings x264 gives
# the same bytes, which is printed as a check that both did the same
# work. gst-launch pays a read() copy of each frame from the file that
# the encoders/ path (mmap of the memfd) does not.
#
# Prints "# figure" lines; exits 1 if a side fails or encodes nothing.
import argparse
import hashlib
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

# frames per run (small, big) at each size: the big run ~4-10 s of
# CPU on one busy core of this class of machine
FRAMES = {'1280x720': (30, 330), '1920x1080': (20, 200),
          '3840x2160': (8, 58)}
POOL = 8  # distinct frames, pushed in turn


def run(cmd):
    """(cpu s, wall s) of @cmd, a child process; raises on failure."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    _, _, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    proc.wait()
    if proc.returncode:
        raise RuntimeError('%s failed (%d): %s%s' % (
            cmd[0], proc.returncode, out, err))
    return ru.ru_utime + ru.ru_stime, wall


def digest(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()[:16], os.path.getsize(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('bench', help='vp-encode-bench')
    ap.add_argument('--sizes', default='1280x720,1920x1080,3840x2160')
    ap.add_argument('--reps', type=int, default=3)
    args = ap.parse_args()
    bench = args.bench
    try:
        subprocess.run(['gst-launch-1.0', '--version'], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        print('gst-launch-1.0 not installed')
        return 77

    fails = 0
    with tempfile.TemporaryDirectory(prefix='vp-enc-bench-') as tmp:
        for size in args.sizes.split(','):
            small, big = FRAMES.get(size, (20, 200))
            desc = subprocess.run([bench, '--size', size, '--describe'],
                                  check=True, capture_output=True,
                                  text=True).stdout.splitlines()
            chain, caps = desc[0], desc[1]
            if size == args.sizes.split(',')[0]:
                print('# figure chain (both sides): %s' % chain)
            subprocess.run([bench, '--size', size, '--pool', str(POOL),
                            '--write-frames', tmp], check=True)
            frame_files = os.path.join(tmp, 'frame-%02d.raw')

            def vp_cmd(n, out):
                return [bench, '--size', size, '--pool', str(POOL),
                        '--frames', str(n), '--output', out]

            def gst_cmd(n, out):
                # one argument a token: gst-launch escapes the spaces in
                # each (caps), then parses them joined
                return ['gst-launch-1.0', '-q', 'multifilesrc',
                        'location=' + frame_files, 'index=0',
                        'start-index=0', 'stop-index=%d' % (POOL - 1),
                        'loop=true', 'num-buffers=%d' % n, 'caps=' + caps,
                        '!', *shlex.split(chain), '!', 'filesink',
                        'location=' + out]

            ratios_cpu, ratios_wall, per = [], [], {'vp': [], 'gst': []}
            walls = {'vp': [], 'gst': []}
            for rep in range(args.reps):
                res = {}
                # alternate which side goes first: drift on a busy
                # machine hits both alike
                order = ('vp', 'gst') if rep % 2 == 0 else ('gst', 'vp')
                for n in (small, big):
                    for side in order:
                        out = os.path.join(tmp, '%s-%d.h264' % (side, n))
                        cmd = vp_cmd(n, out) if side == 'vp' \
                            else gst_cmd(n, out)
                        try:
                            res[side, n] = run(cmd)
                        except RuntimeError as e:
                            print('%s: %s' % (size, e))
                            return 1
                for side in ('vp', 'gst'):
                    cpu = (res[side, big][0] - res[side, small][0]) / \
                        (big - small)
                    wall = (res[side, big][1] - res[side, small][1]) / \
                        (big - small)
                    per[side].append(cpu * 1e6)
                    walls[side].append(wall * 1e6)
                ratios_cpu.append(per['vp'][-1] / per['gst'][-1])
                ratios_wall.append(walls['vp'][-1] / walls['gst'][-1])
            vp_h, vp_n = digest(os.path.join(tmp, 'vp-%d.h264' % big))
            gst_h, gst_n = digest(os.path.join(tmp, 'gst-%d.h264' % big))
            if not vp_n or not gst_n:
                print('%s: an encoded stream is empty' % size)
                fails += 1
            med = statistics.median
            r = med(ratios_cpu)
            print('# figure %s: CPU per frame encoders/ %.0f us, '
                  'gst-launch %.0f us, ratio %.3f (goal <= 1.05; per '
                  'repetition %s)' % (
                      size, med(per['vp']), med(per['gst']), r,
                      ' '.join('%.3f' % x for x in ratios_cpu)))
            print('# figure %s: wall per frame encoders/ %.0f us, '
                  'gst-launch %.0f us, ratio %.3f; %d frames (%d-%d) x %d '
                  'repetitions a side' % (
                      size, med(walls['vp']), med(walls['gst']),
                      med(ratios_wall), big - small, big, small, args.reps))
            print('# figure %s: encoded streams %s (%d bytes encoders/, '
                  '%d bytes gst-launch)' % (
                      size, 'identical' if (vp_h, vp_n) == (gst_h, gst_n)
                      else 'differ', vp_n, gst_n))
            sys.stdout.flush()
            for f in os.listdir(tmp):
                os.unlink(os.path.join(tmp, f))
    return 1 if fails else 0


sys.exit(main())
