#!/usr/bin/env python3
# Watch a vplaned head in headless Chromium over WebRTC, as a person would
# with the viewer page, and take a screenshot of the video.
#   webrtc_view.py URL OUT.png SECONDS [--frames W H DIR]
# Chromium runs driven over the DevTools protocol on a pipe (no port):
# open URL, poll the page until its <video> plays (videoWidth > 0,
# currentTime advancing) or SECONDS pass, then capture the video's area at
# 1:1 into OUT.png. Chromium's start (until the page has a document;
# minutes under TCG) has its own budget of 300 s x VPLANE_SLOWDOWN.
# Prints "chromium ready after N s", "state", "video WxH currentTime".
# With --frames W H DIR: decode the screenshot (ffmpeg, to RGB) and read
# the simulator's frame counter and draw time from it (stream_check.py's
# bit blocks), print "counter N" and the PSNR against the guest's frame
# for that counter. Chromium's own log goes to OUT-chromium.log (OUT
# without its extension). Exit 0 if the video played (and, with --frames, the
# counter decoded), 1 if not, 2 if Chromium itself failed.
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, profile, log, startup):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        args = [shutil.which('chromium') or 'chromium', '--headless=new',
                '--no-sandbox', '--remote-debugging-pipe',
                # host candidates on 127.0.0.1 (the VM has only lo) and
                # not hidden behind mDNS names libnice cannot resolve
                '--allow-loopback-in-peer-connection',
                '--disable-features=WebRtcHideLocalIpsWithMdns',
                '--use-fake-ui-for-media-stream',
                '--autoplay-policy=no-user-gesture-required',
                '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
                '--window-size=800,600',
                # a child process (network service, storage, renderer) the
                # browser has not connected to within 15 s ends itself
                # ("Terminating current process after 15 seconds with no
                # connection"); under TCG the browser takes longer than
                # that, the network service dies and the page load with it
                '--ipc-connection-timeout=%d' % startup,
                # no update checks or downloads competing for the CPU (and
                # no network to reach in the VM)
                '--disable-background-networking', '--disable-component-update',
                '--disable-sync', '--disable-default-apps',
                '--user-data-dir=' + profile]
        # diagnosis: e.g. VPLANE_CHROMIUM_ARGS='--enable-logging=stderr --v=1'
        args += os.environ.get('VPLANE_CHROMIUM_ARGS', '').split()
        args.append('about:blank')

        def fds():  # the pipe protocol's fds: 3 in, 4 out
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)
        self.log = open(log, 'w')
        self.proc = subprocess.Popen(args, preexec_fn=fds, pass_fds=(3, 4),
                                     stdout=self.log, stderr=self.log,
                                     env=dict(os.environ, HOME=profile))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b''
        self.next_id = 0

    def call(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session:
            msg['sessionId'] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b'\0')
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b'\0' in self.buf:
                raw, self.buf = self.buf.split(b'\0', 1)
                reply = json.loads(raw)
                if reply.get('id') == self.next_id:
                    if 'error' in reply:
                        raise RuntimeError('%s: %s' % (method, reply['error']))
                    return reply['result']
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError('chromium exited (see its log)')
            self.buf += chunk
        raise RuntimeError('%s: no reply in %d s' % (method, timeout))

    def close(self):
        try:
            self.call('Browser.close', timeout=10)
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


STATE_JS = '''JSON.stringify((() => {
  const v = document.getElementById("video");
  return { state: window.vplaneState || "", status:
           (document.getElementById("status") || {}).textContent || "",
           w: v ? v.videoWidth : 0, h: v ? v.videoHeight : 0,
           t: v ? v.currentTime : 0 };
})())'''


def check_frames(png, w, h, outdir):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import numpy as np
    import stream_check as sc
    raw = subprocess.run(['ffmpeg', '-nostdin', '-loglevel', 'error', '-i',
                          png, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
                         check=True, stdout=subprocess.PIPE).stdout
    if len(raw) != w * h * 3:
        print('screenshot is %d bytes, not %dx%d RGB' % (len(raw), w, h))
        return False
    img = np.frombuffer(raw, dtype=np.uint8).reshape(h, w, 3)
    counter, ts = sc.read_bits(img, 16), sc.read_bits(img, 32)
    if counter is None or ts is None:
        print('counter unreadable')
        return False
    mask = np.ones((h, w), dtype=bool)
    mask[0, :8] = False
    # the draw time is stamped with as many low bits as the width shows
    bits = min(32, w // 16)
    exp = sc.expected(w, h, counter, ts, 0)
    if bits < 32:  # the hidden high bits are unknown: keep ours
        for y0, val in ((16, counter), (32, ts)):
            exp[y0:y0 + 16] = img[y0:y0 + 16]
    p = sc.psnr(img, exp, mask)
    sc.save(os.path.join(outdir, 'webrtc-expected.ppm'), exp)
    print('counter %d drawn-at-ms %d psnr %.1f' % (counter, ts, p))
    return True


def main():
    url, out, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    frames = sys.argv[4:8] if sys.argv[4:5] == ['--frames'] else None
    # the printed lines matter when the test's timeout ends us
    sys.stdout.reconfigure(line_buffering=True)
    profile = tempfile.mkdtemp(prefix='vp-chromium-')
    # Chromium's own log, kept beside the screenshot for a failed run
    log = os.path.splitext(out)[0] + '-chromium.log'
    # Chromium's own start takes minutes under TCG: not part of the wait
    # for the video
    startup = 300 * int(os.environ.get('VPLANE_SLOWDOWN', '1'))
    ready_by = time.monotonic() + startup
    try:
        b = Browser(profile, log, startup)
    except OSError as e:
        print('cannot start chromium: %s' % e)
        return 2
    played = False
    try:
        # Chromium's start ends when the page has a document to ask: the
        # first state read can wait that long for its renderer
        target = b.call('Target.createTarget', {'url': url},
                        timeout=startup)['targetId']
        session = b.call('Target.attachToTarget',
                         {'targetId': target, 'flatten': True},
                         timeout=max(1, ready_by - time.monotonic()))[
                             'sessionId']
        deadline = None
        last = None
        first_t = None
        st = {}
        while deadline is None or time.monotonic() < deadline:
            left = ready_by if deadline is None else deadline
            try:
                r = b.call('Runtime.evaluate', {'expression': STATE_JS,
                                                'returnByValue': True},
                           session=session,
                           timeout=max(60, left - time.monotonic()))
            except RuntimeError as e:
                # between two documents (the page replacing about:blank,
                # an error page) there is briefly none to evaluate in
                if 'execution context' not in str(e) or \
                        time.monotonic() >= left:
                    raise
                time.sleep(0.5)
                continue
            if deadline is None:  # started: now the wait for the video
                print('chromium ready after %.0f s' %
                      (time.monotonic() - ready_by + startup))
                deadline = time.monotonic() + seconds
            st = json.loads(r['result'].get('value') or '{}')
            line = 'state %s (%s)' % (st.get('state'), st.get('status'))
            if line != last:
                print(line, flush=True)
                last = line
            if st.get('w', 0) > 0 and st.get('t', 0) > 0:
                if first_t is None:
                    first_t = st['t']
                elif st['t'] > first_t:  # advancing: live, not one frame
                    played = True
                    break
            time.sleep(0.5)
        print('video %dx%d currentTime %.2f' % (st.get('w', 0),
                                                st.get('h', 0),
                                                st.get('t', 0)))
        w, h = max(st.get('w', 0), 1), max(st.get('h', 0), 1)
        shot = b.call('Page.captureScreenshot',
                      {'format': 'png', 'clip': {'x': 0, 'y': 0, 'width': w,
                                                 'height': h, 'scale': 1}},
                      session=session, timeout=120)
        with open(out, 'wb') as f:
            f.write(base64.b64decode(shot['data']))
    except RuntimeError as e:
        print('chromium: %s' % e)
        b.close()
        with open(log) as f:
            sys.stdout.write(f.read()[-2000:])
        return 2
    b.close()
    shutil.rmtree(profile, ignore_errors=True)
    if not played:
        return 1
    if frames:
        w, h = int(frames[1]), int(frames[2])
        if (st['w'], st['h']) != (w, h):
            print('video is %dx%d, the head %dx%d' % (st['w'], st['h'], w, h))
            return 1
        return 0 if check_frames(out, w, h, frames[3]) else 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
