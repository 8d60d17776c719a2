"""One VM run: a group of in-guest tests in a freshly booted kernel, with
the outcome as a TAP stream."""

import os
import shlex
import shutil
import sys
import time
from pathlib import Path

from . import initramfs, kernel, kmsg, qemu, tap

BOOT_ALLOWANCE_S = 90  # boot and overlay set-up under TCG, with margin
GUEST_DIR = Path(__file__).resolve().parent.parent / "guest"


def _accel(kern: kernel.Kernel, initrd: Path, vmdir: Path) -> str:
    forced = os.environ.get("VPLANE_ACCEL")
    if forced in ("tcg", "kvm"):
        return forced
    stamp = vmdir / "accel"
    if stamp.exists():
        return stamp.read_text().strip()
    ok = qemu.probe_kvm(kern.boot_image(), initrd, vmdir / "probe",
                        vmdir / "probe-console.log")
    accel = "kvm" if ok else "tcg"
    print(f"vmrun: KVM probe {'succeeded' if ok else 'failed'}; using {accel}",
          file=sys.stderr, flush=True)
    stamp.write_text(accel + "\n")
    return accel


def _stall_check(plan, slowdown: int):
    """A guest that has not moved on for longer than it is allowed: the
    running test's own timeout (the guest kills it then and goes on) or
    the boot allowance, plus a grace for the guest's own clean-up. A frozen
    guest is then killed after one test's limit, not the whole group's
    (and before meson's, so the tests that ran are still reported)."""
    limits = {t.name: t.timeout for t in plan}
    grace = 60 * slowdown

    def stalled(con):
        allowed = limits.get(con.running, BOOT_ALLOWANCE_S * slowdown)
        quiet = time.monotonic() - con.progress
        if quiet <= allowed + grace:
            return None
        where = f"in {con.running}" if con.running else "between tests"
        return (f"the guest made no progress for {quiet:.0f} s {where} "
                f"(allowed {allowed} s + {grace} s): killed as hung")
    return stalled


def stage_modules(kern: kernel.Kernel, extra, dest: Path):
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for ko in sorted(kern.extra_modules.glob("*.ko")) + [Path(e) for e in extra]:
        shutil.copy2(ko, dest / ko.name)


def run_group(kern: kernel.Kernel, group_file: Path, src: Path, build: Path,
              extra_modules,
              echo: bool = False, strict: bool = False,
              timeout_s: "float | None" = None,
              show_logs: bool = False, extra_env=None) -> int:
    group = group_file.stem
    plan = tap.scale_timeouts(tap.parse_group(group_file.read_text(),
                                              str(group_file)), kern.slowdown)
    vmdir = build / "vm" / kern.vm_name
    out = vmdir / group
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    modules = vmdir / "modules"
    stage_modules(kern, extra_modules, modules)
    initrd = initramfs.build(kern, GUEST_DIR / "init", vmdir / "initramfs.cpio")
    accel = _accel(kern, initrd, vmdir)

    env = {"VPLANE_SRC": src, "VPLANE_BUILD": build, "VPLANE_MODULES": modules,
           "VPLANE_KROOT": kern.root, "VPLANE_RESULTS": "/run/vplane",
           "VPLANE_GROUP": group, "VPLANE_KVER": kern.abi,
           "VPLANE_ACCEL": accel, "VPLANE_SLOWDOWN": kern.slowdown,
           "VPLANE_BIND_PATHS": " ".join(str(p) for p in (src, build,
                                                          kern.dir))}
    env.update(extra_env or {})
    (out / "plan.env").write_text("".join(
        f"{k}={shlex.quote(str(v))}\n" for k, v in env.items()))
    (out / "plan.tsv").write_text(tap.plan_tsv(plan))

    limit = timeout_s or (BOOT_ALLOWANCE_S * kern.slowdown +
                          sum(t.timeout + 5 for t in plan))
    t0 = time.monotonic()
    rc, con, killed = qemu.run(
        qemu.command(kern.boot_image(), initrd, out, accel, kern.cmdline),
        out / "console.log", limit, echo,
        stalled=_stall_check(plan, kern.slowdown))
    wall = time.monotonic() - t0

    status = tap.parse_status(_read(out / "status"))
    logs = {t.name: _read(out / f"{t.name}.log") for t in plan}
    if rc is None:
        why = killed
    elif "done" not in con.marks:
        why = f"the guest stopped early (QEMU exit {rc})"
    else:
        why = "no status recorded"
    rep = tap.Report()
    boot = con.marks.get("first-test")
    rep.lines.append(f"# kernel {kern.label}, accel {accel}, "
                     f"wall {wall:.1f} s")
    if boot is not None:
        rep.lines.append(f"# boot to first in-guest test: {boot:.1f} s")
    tap.report_tests(rep, plan, status, logs, strict, why)

    dmesg = _read(out / "dmesg.txt")
    bad = kmsg.bad_lines(dmesg + "\n" + _read(out / "console.log"))
    rep.add(not bad and bool(dmesg), "kernel log clean (no WARN/BUG/Oops/"
            "Call Trace/KASAN)",
            diag=[f"# {k}: {ln}" for k, ln in bad[:40]]
            + ([] if dmesg else ["# no dmesg came back from the guest"]))
    if kern.flavour == "debug":
        scanned = (out / "kmemleak.txt").exists()
        report = _read(out / "kmemleak.txt")
        leaks = kmsg.kmemleak_objects(report)
        rep.add(scanned and not leaks,
                "kmemleak: no unreferenced object from vplane "
                f"({report.count('unreferenced object')} in all)",
                diag=[f"# {hdr}: " + " | ".join(bt[:6])
                      for hdr, bt in leaks[:10]]
                + ([] if scanned else ["# no kmemleak report came back"]))
    if rc is None or "done" not in con.marks:
        rep.add(False, "guest ran to completion", diag=[f"# {why}"]
                + ["# console: " + ln for ln in con.tail[-40:]])
    if show_logs:
        for t in plan:
            print(f"\n===== {t.name} =====")
            print(logs.get(t.name, "").rstrip() or "(no output)")
        print()
    sys.stdout.write(rep.text())
    sys.stdout.flush()
    print(f"vmrun: console and logs in {out}", file=sys.stderr)
    return 1 if rep.failed else 0


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
