"""Unit tests of the VM harness's pure logic (no QEMU, no network)."""

import lzma
import tempfile
import unittest
from pathlib import Path

import time

from vplane_vm import (archive, debugkernel, initramfs, kernel, kmsg,
                       l2guest, l2kernel, modules, runner, tap)

DEPENDS = """linux-image-amd64
  Depends: linux-image-6.1.0-56-amd64
"""
POLICY = """linux-image-6.1.0-56-amd64:
  Installed: (none)
  Candidate: 6.1.192-2
  Version table:
     6.1.192-2 500
"""


class KernelResolution(unittest.TestCase):
    def test_abi_from_apt_cache_depends(self):
        self.assertEqual(kernel.parse_image_abi(DEPENDS), "6.1.0-56-amd64")

    def test_first_image_dependency_wins(self):
        text = DEPENDS + "  Depends: linux-image-6.1.0-55-amd64\n"
        self.assertEqual(kernel.parse_image_abi(text), "6.1.0-56-amd64")

    def test_no_image_dependency_is_an_error_that_says_what_to_do(self):
        with self.assertRaisesRegex(kernel.HarnessError, "apt-get update"):
            kernel.parse_image_abi("linux-image-amd64\n")

    def test_meta_package_names_are_not_an_abi(self):
        with self.assertRaises(kernel.HarnessError):
            kernel.parse_image_abi("  Depends: linux-image-amd64-signed\n")

    def test_candidate_version(self):
        self.assertEqual(kernel.parse_candidate(POLICY), "6.1.192-2")

    def test_no_candidate(self):
        with self.assertRaises(kernel.HarnessError):
            kernel.parse_candidate("x:\n  Installed: (none)\n"
                                   "  Candidate: (none)\n")

    def test_package_set_matches_one_version(self):
        spec = kernel.KernelSpec("6.1.0-56-amd64", "6.1.192-2")
        self.assertEqual(spec.packages(), [
            ("linux-image-6.1.0-56-amd64", "6.1.192-2"),
            ("linux-headers-6.1.0-56-amd64", "6.1.192-2"),
            ("linux-headers-6.1.0-56-common", "6.1.192-2"),
            ("linux-kbuild-6.1", "6.1.192-2"),
            ("linux-source-6.1", "6.1.192-2"),
        ])
        self.assertEqual(spec.key, "6.1.0-56-amd64_6.1.192-2")

    def test_abi_of_newer_debian_kernels(self):
        text = "linux-image-amd64\n  Depends: linux-base-amd64\n" \
            "  Depends: linux-image-7.3.4+deb13-amd64\n"
        self.assertEqual(kernel.parse_image_abi(text), "7.3.4+deb13-amd64")

    def test_package_set_of_a_6_12_kernel(self):
        spec = kernel.KernelSpec("6.12.95+deb12-amd64", "6.12.95-1~bpo12+1",
                                 "bookworm-backports")
        self.assertEqual([n for n, _ in spec.packages()], [
            "linux-image-6.12.95+deb12-amd64",
            "linux-headers-6.12.95+deb12-amd64",
            "linux-headers-6.12.95+deb12-common",
            "linux-kbuild-6.12.95+deb12",
            "linux-source-6.12",
        ])
        self.assertEqual(spec.series, "6.12")

    def test_package_set_of_a_split_7_x_kernel(self):
        spec = kernel.KernelSpec("7.3.4+deb13-amd64", "7.3.4-1~bpo13+1",
                                 "trixie-backports", split=True)
        self.assertEqual([n for n, _ in spec.packages()], [
            "linux-base-7.3.4+deb13-amd64",
            "linux-binary-7.3.4+deb13-amd64",
            "linux-modules-7.3.4+deb13-amd64",
            "linux-headers-7.3.4+deb13-amd64",
            "linux-headers-7.3.4+deb13-common",
            "linux-kbuild-7.3.4+deb13",
            "linux-source-7.3",
        ])

    def test_split_image_is_told_by_its_binary_dependency(self):
        abi = "7.3.4+deb13-amd64"
        self.assertTrue(kernel.is_split_image(
            abi, f"linux-image-{abi}\n  PreDepends: linux-base\n"
            f"  Depends: linux-base-{abi}\n  Depends: linux-binary-{abi}\n"
            f"  Depends: linux-modules-{abi}\n"))
        self.assertFalse(kernel.is_split_image(
            "6.12.117+deb13-amd64", "linux-image-6.12.117+deb13-amd64\n"
            "  Depends: kmod\n  Depends: linux-base\n"))

    def test_fixed_upstream_patch_is_skipped_only_where_fixed(self):
        name = "0001-vkms-vblank-timer-deadlock.patch"
        patch = kernel.KMOD_PATCH_DIR / name
        self.assertTrue(patch.exists())
        with tempfile.TemporaryDirectory() as d:
            src = Path(d)
            self.assertTrue(kernel.patch_needed(patch, src))  # not there
            f = src / "drivers/gpu/drm/drm_vblank.c"
            f.parent.mkdir(parents=True)
            f.write_text("void drm_crtc_vblank_off(void);\n")
            self.assertTrue(kernel.patch_needed(patch, src))
            f.write_text("void drm_crtc_vblank_cancel_timer(void);\n")
            self.assertFalse(kernel.patch_needed(patch, src))

    def test_vm_dirs_of_kernels_differ(self):
        names = {kernel.Kernel(kernel.KernelSpec(abi, "1")).vm_name
                 for abi in ("6.1.0-57-amd64", "6.12.117+deb13-amd64",
                             "7.3.4+deb13-amd64")}
        self.assertEqual(names, {"debian", "debian-6.12", "debian-7.3"})

    def test_prepared_tree_release_is_the_debian_abi(self):
        from vplane_vm import prepared
        self.assertEqual(prepared.local_version("7.3.4+deb13-amd64",
                                                "7.3.4"), "+deb13-amd64")
        self.assertEqual(prepared.local_version("6.12.117+deb13-amd64",
                                                "6.12.117"), "+deb13-amd64")
        with self.assertRaises(kernel.HarnessError):
            prepared.local_version("6.12.117+deb13-amd64", "6.12.118")
        with tempfile.TemporaryDirectory() as d:
            (Path(d) / "Makefile").write_text(
                "# SPDX\nVERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 4\n"
                "EXTRAVERSION =\nNAME = Baby Opossum Posse\n")
            self.assertEqual(prepared.kernel_version(Path(d)), "7.3.4")

    def test_prepared_config_changes_are_listed(self):
        from vplane_vm import prepared
        before = "CONFIG_A=y\nCONFIG_GCC_VERSION=140200\n# c\n"
        after = "CONFIG_A=y\nCONFIG_GCC_VERSION=120200\n# CONFIG_B is " \
            "not set\n"
        self.assertEqual(prepared.config_changes(before, after), [
            "-CONFIG_GCC_VERSION=140200", "+# CONFIG_B is not set",
            "+CONFIG_GCC_VERSION=120200"])

    def test_debug_fragment_of_newer_kernels_adds_iommufd(self):
        from vplane_vm import debugkernel
        old = debugkernel.fragment_for(kernel.KernelSpec("6.1.0-57-amd64",
                                                         "6.1.192-3"))
        self.assertEqual(old, debugkernel.CONFIG_FRAGMENT.read_text())
        new = debugkernel.parse_fragment(debugkernel.fragment_for(
            kernel.KernelSpec("6.12.117+deb13-amd64", "6.12.117-1")))
        self.assertEqual(new["CONFIG_IOMMUFD"], "y")
        self.assertEqual(new["CONFIG_VFIO_DEVICE_CDEV"], "y")
        self.assertEqual(new["CONFIG_VFIO_MDEV"], "m")
        self.assertEqual(new["CONFIG_KASAN"], "y")

    def test_compiler_the_headers_need(self):
        self.assertEqual(kernel.parse_headers_compiler(
            "x\n  Depends: <gcc-14-for-host>\n  Depends: linux-base\n"),
            "gcc-14")
        self.assertEqual(kernel.parse_headers_compiler(
            "x\n  Depends: gcc-12\n"), "gcc-12")
        self.assertEqual(kernel.parse_headers_compiler("x\n"), "")

    def test_every_choice_names_its_suites(self):
        self.assertEqual(kernel.KERNEL_CHOICES["debian12"], ("",))
        self.assertIn("debian13", kernel.KERNEL_CHOICES)
        self.assertIn("newest", kernel.KERNEL_CHOICES)

    def test_headers_makefile_points_into_the_cache(self):
        text = "include /usr/src/linux-headers-6.1.0-56-common/Makefile\n"
        out = kernel.patch_headers_makefile(text, Path("/c/root"))
        self.assertEqual(
            out, "include /c/root/usr/src/linux-headers-6.1.0-56-common/"
            "Makefile\n")

    def test_offline_fallback_takes_only_complete_kernels(self):
        with tempfile.TemporaryDirectory() as d:
            import os
            old = os.environ.get("VPLANE_CACHE")
            os.environ["VPLANE_CACHE"] = d
            try:
                (Path(d) / "kernel/6.1.0-9-amd64_6.1.1-1").mkdir(parents=True)
                self.assertIsNone(kernel.newest_cached())
                (Path(d) / "kernel/6.1.0-9-amd64_6.1.1-1/.complete").touch()
                self.assertEqual(kernel.newest_cached(),
                                 kernel.KernelSpec("6.1.0-9-amd64", "6.1.1-1"))
            finally:
                if old is None:
                    del os.environ["VPLANE_CACHE"]
                else:
                    os.environ["VPLANE_CACHE"] = old


class VmlinuxExtraction(unittest.TestCase):
    def test_finds_the_elf_after_a_false_magic(self):
        elf = b"\x7fELF" + bytes(range(256)) * 8
        blob = (b"MZ stub" + kernel.XZ_MAGIC + b"junk" + b"\0" * 32
                + lzma.compress(elf, format=lzma.FORMAT_XZ) + b"trailer")
        self.assertEqual(kernel.extract_vmlinux(blob), elf)

    def test_no_payload(self):
        with self.assertRaises(kernel.HarnessError):
            kernel.extract_vmlinux(b"MZ" + b"\0" * 100)


DEP = """kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/netfs/netfs.ko kernel/fs/fscache/fscache.ko
kernel/net/9p/9pnet.ko:
kernel/fs/netfs/netfs.ko:
kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/pci/vfio-pci-core.ko
kernel/drivers/vfio/pci/vfio-pci-core.ko:
"""


class ModuleOrder(unittest.TestCase):
    def setUp(self):
        self.deps = modules.parse_modules_dep(DEP)

    def test_names_normalise_dashes(self):
        self.assertEqual(modules.module_name("a/vfio-pci.ko.xz"), "vfio_pci")
        self.assertIn("vfio_pci_core", self.deps["vfio_pci"])

    def test_dependencies_come_first_once(self):
        order = modules.load_order(["9p", "9pnet_virtio"], self.deps,
                                   {"virtio_ring"})
        self.assertEqual(order, ["9pnet", "netfs", "fscache", "9p",
                                 "9pnet_virtio"])

    def test_unknown_module_is_an_error(self):
        with self.assertRaisesRegex(kernel.HarnessError, "9pnet_virtio"):
            modules.load_order(["9pnet_virtio"], self.deps, set())

    def test_cycle_is_an_error(self):
        deps = {"a": ["b"], "b": ["a"]}
        with self.assertRaisesRegex(kernel.HarnessError, "cycle"):
            modules.load_order(["a"], deps, set())

    def test_link_tree_mirrors_sources_and_drops_stale_links(self):
        with tempfile.TemporaryDirectory() as d:
            src, out = Path(d, "src"), Path(d, "out")
            (src / "uapi").mkdir(parents=True)
            (src / "a.c").write_text("a")
            (src / "gone.c").write_text("g")
            (src / "a.o").write_text("object")
            (src / "a.mod.c").write_text("generated")
            (src / "Kbuild").write_text("obj-m += a.o")
            (src / "README").write_text("doc")
            (src / "uapi/h.h").write_text("h")
            modules.link_tree(src, out)
            (src / "gone.c").unlink()
            modules.link_tree(src, out)
            self.assertEqual((out / "a.c").read_text(), "a")
            self.assertEqual((out / "uapi/h.h").read_text(), "h")
            self.assertFalse((out / "a.o").exists())
            self.assertFalse((out / "a.mod.c").exists())
            self.assertFalse((out / "README").exists())
            self.assertTrue((out / "Kbuild").is_symlink())
            self.assertFalse((out / "gone.c").is_symlink())

    def test_link_tree_to_another_tree_forgets_the_objects(self):
        with tempfile.TemporaryDirectory() as d:
            new, old, out = Path(d, "new"), Path(d, "old"), Path(d, "out")
            for tree in (new, old):
                tree.mkdir()
                (tree / "a.c").write_text(tree.name)
            modules.link_tree(old, out)
            (out / "a.o").write_text("built from old")
            (out / ".a.o.cmd").write_text("cmd")
            (out / "m.ko").write_text("module")
            modules.link_tree(old, out)  # same tree: the objects stay
            self.assertTrue((out / "a.o").exists())
            modules.link_tree(new, out)  # new/a.c may be the older file
            self.assertEqual((out / "a.c").read_text(), "new")
            self.assertFalse((out / "a.o").exists())
            self.assertFalse((out / ".a.o.cmd").exists())
            self.assertFalse((out / "m.ko").exists())


def parse_newc(data: bytes):
    """Independent reader of newc archives, for checking the writer."""
    entries, off = [], 0
    while True:
        hdr = data[off:off + 110]
        assert hdr[:6] == b"070701", hdr[:6]
        f = [int(hdr[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = f[1], f[6], f[11]
        off += 110
        name = data[off:off + namesize - 1].decode()
        assert data[off + namesize - 1] == 0
        off += namesize
        off += -off % 4
        body = data[off:off + size]
        off += size
        off += -off % 4
        if name == "TRAILER!!!":
            return entries, off
        entries.append((name, mode, body))


class Cpio(unittest.TestCase):
    def test_round_trip_with_odd_sizes(self):
        entries = [("bin", initramfs.DIR, b""),
                   ("bin/x", initramfs.EXEC, b"abc"),
                   ("modules/odd-name.ko", initramfs.FILE, b"12345")]
        data = initramfs.cpio_archive(entries)
        parsed, end = parse_newc(data)
        self.assertEqual(parsed, entries)
        self.assertEqual(end, len(data))
        self.assertEqual(len(data) % 4, 0)

    def test_reproducible(self):
        e = [("init", initramfs.EXEC, b"#!/bin/sh\n")]
        self.assertEqual(initramfs.cpio_archive(e), initramfs.cpio_archive(e))


class KernelLog(unittest.TestCase):
    BAD = [
        "[   12.3] WARNING: CPU: 1 PID: 77 at drivers/x.c:12 f+0x1/0x2",
        "[    1.0] BUG: KASAN: slab-out-of-bounds in mdev_access+0x1",
        "[    1.0] BUG: unable to handle page fault for address: 0000",
        "[    1.0] kernel BUG at mm/slub.c:123!",
        "[    1.0] Call Trace:",
        "[    1.0] general protection fault, probably for non-canonical",
        "[    1.0] UBSAN: array-index-out-of-bounds in x.c:1:2",
        "[    1.0] WARNING: possible circular locking dependency detected",
        "[    1.0] WARNING: suspicious RCU usage",
        "[    1.0] DMA-API: device driver frees DMA memory with wrong size",
        "[    1.0] INFO: task x:1 blocked for more than 120 seconds.",
        "[    1.0] Kernel panic - not syncing: Fatal exception",
    ]
    GOOD = [
        "[    2.2] mtrr: your CPUs had inconsistent fixed MTRR settings",
        "[   10.8] vkms: loading out-of-tree module taints kernel.",
        "[   10.8] vplane: module verification failed: signature and/or "
        "required key missing - tainting kernel",
        "[    1.0] ACPI: bus type PCI registered",
        "VPLANE-MARK first-test 8.01",
        "[    1.714455] DMA-API: preallocated 65536 debug entries",
        "[    1.714752] DMA-API: debugging enabled by kernel config",
        # judged by kmemleak_objects(): only vplane's objects fail a run
        "[  220.2] kmemleak: 200 new suspected memory leaks (see x)",
    ]

    def test_every_report_is_caught(self):
        for line in self.BAD:
            self.assertTrue(kmsg.bad_lines(line), line)

    def test_ordinary_boot_lines_are_not(self):
        self.assertEqual(kmsg.bad_lines("\n".join(self.GOOD)), [])


class Kmemleak(unittest.TestCase):
    REPORT = """unreferenced object 0xffff888100a1b000 (size 64):
  comm "insmod", pid 120, jiffies 4294900000 (age 12.3s)
  hex dump (first 32 bytes):
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
  backtrace:
    [<ffffffff81234567>] kmalloc_trace+0x27/0x90
    [<ffffffffa0001234>] vplane_display_create+0x44/0x300 [vplane]
    [<ffffffff81234567>] do_one_initcall+0x5/0x10
unreferenced object 0xffff888100a1c000 (size 32):
  comm "swapper/0", pid 1, jiffies 4294800000 (age 99.1s)
  backtrace:
    [<ffffffff81234567>] acpi_os_allocate+0x1/0x2
"""

    def test_only_vplane_objects_count(self):
        leaks = kmsg.kmemleak_objects(self.REPORT)
        self.assertEqual(len(leaks), 1)
        self.assertIn("0xffff888100a1b000", leaks[0][0])
        self.assertTrue(any("vplane_display_create" in ln
                            for ln in leaks[0][1]))

    def test_empty_report(self):
        self.assertEqual(kmsg.kmemleak_objects(""), [])


class Tap(unittest.TestCase):
    GROUP = """# comment
a   10  tests/x.sh --flag "two words"

b 5 true
"""

    def test_group_parsing(self):
        plan = tap.parse_group(self.GROUP)
        self.assertEqual([(t.name, t.timeout) for t in plan],
                         [("a", 10), ("b", 5)])
        self.assertEqual(plan[0].command, 'tests/x.sh --flag "two words"')

    def test_group_errors(self):
        for bad in ["a x cmd", "a 0 cmd", "a 10", "a b 10 c", "",
                    "a 1 x\na 1 y", "a/b 1 x"]:
            with self.assertRaises(ValueError, msg=bad):
                tap.parse_group(bad)

    def test_timeouts_scale_for_slow_kernels(self):
        plan = tap.scale_timeouts(tap.parse_group(self.GROUP), 4)
        self.assertEqual([t.timeout for t in plan], [40, 20])
        self.assertEqual(plan[0].command, 'tests/x.sh --flag "two words"')

    def test_status_ignores_a_truncated_line(self):
        st = tap.parse_status("a\t0\t12\nb\t1\t40\nc\t7")
        self.assertEqual(sorted(st), ["a", "b"])
        self.assertEqual(st["b"].rc, 1)

    def _report(self, status, logs, strict=False):
        plan = tap.parse_group("a 10 x\nb 10 y\nc 10 z\nd 3 w\n")
        rep = tap.Report()
        tap.report_tests(rep, plan, tap.parse_status(status), logs, strict,
                         "the guest was killed")
        return rep

    def test_outcomes(self):
        rep = self._report("a\t0\t5\nb\t77\t1\nd\t124\t3000\n",
                           {"a": "# fps 60\nok\n", "b": "no device here\n"})
        text = rep.text()
        self.assertTrue(text.startswith("1..4\n"))
        self.assertIn("# fps 60", text)
        self.assertIn("ok 1 - a (5 ms)", text)
        self.assertIn("ok 2 - b # SKIP no device here", text)
        self.assertIn("not ok 3 - c", text)
        self.assertIn("the guest was killed", text)
        self.assertIn("not ok 4 - d", text)
        self.assertIn("timed out after 3 s", text)
        self.assertEqual(rep.failed, 2)

    def test_strict_turns_skips_into_failures(self):
        rep = self._report("a\t0\t5\nb\t77\t1\nc\t0\t1\nd\t0\t1\n",
                           {"b": "no device\n"}, strict=True)
        self.assertEqual(rep.failed, 1)
        self.assertIn("not ok 2 - b", rep.text())
        self.assertNotIn("SKIP", rep.text())


class StallCheck(unittest.TestCase):
    """The host's watchdog on a guest that stops printing its markers."""

    class Con:
        def __init__(self, running, quiet_s):
            self.running = running
            self.progress = time.monotonic() - quiet_s

    plan = [tap.PlannedTest("a", 30, "true"), tap.PlannedTest("b", 300, "x")]

    def test_a_test_within_its_timeout_and_grace_is_not_stalled(self):
        check = runner._stall_check(self.plan, 1)
        self.assertIsNone(check(self.Con("a", 89)))
        self.assertIsNone(check(self.Con("b", 359)))

    def test_a_silent_guest_past_the_running_tests_limit_is(self):
        check = runner._stall_check(self.plan, 1)
        why = check(self.Con("a", 91))
        self.assertRegex(why, "no progress for 91 s in a")

    def test_between_tests_the_boot_allowance_applies(self):
        check = runner._stall_check(self.plan, 1)
        self.assertIsNone(check(self.Con(None, runner.BOOT_ALLOWANCE_S + 59)))
        self.assertRegex(check(self.Con(None, runner.BOOT_ALLOWANCE_S + 61)),
                         "between tests")

    def test_slow_kernels_scale_the_grace(self):
        check = runner._stall_check(tap.scale_timeouts(self.plan, 6), 6)
        self.assertIsNone(check(self.Con("a", 30 * 6 + 60 * 6 - 1)))


class DebugConfig(unittest.TestCase):
    FRAGMENT = """# comment
CONFIG_KASAN=y
CONFIG_LOCALVERSION="-x"
# CONFIG_MODULE_SIG is not set
CONFIG_DRM_VKMS=m
"""

    def test_fragment_parsing(self):
        self.assertEqual(debugkernel.parse_fragment(self.FRAGMENT), {
            "CONFIG_KASAN": "y", "CONFIG_LOCALVERSION": '"-x"',
            "CONFIG_MODULE_SIG": "n", "CONFIG_DRM_VKMS": "m"})

    def test_dropped_options_are_named(self):
        want = debugkernel.parse_fragment(self.FRAGMENT)
        config = ('CONFIG_KASAN=y\nCONFIG_LOCALVERSION="-x"\n'
                  "CONFIG_DRM_VKMS=y\n")
        self.assertEqual(debugkernel.unmet(want, config),
                         ["CONFIG_DRM_VKMS=m (got y)"])
        self.assertEqual(debugkernel.unmet(
            want, config.replace("VKMS=y", "VKMS=m")), [])

    def test_the_shipped_fragment_asks_for_the_bug_finders(self):
        want = debugkernel.parse_fragment(
            debugkernel.CONFIG_FRAGMENT.read_text())
        for opt in ("CONFIG_KASAN", "CONFIG_KASAN_INLINE",
                    "CONFIG_PROVE_LOCKING", "CONFIG_DEBUG_KMEMLEAK",
                    "CONFIG_UBSAN_BOUNDS", "CONFIG_DMA_API_DEBUG",
                    "CONFIG_DMABUF_DEBUG", "CONFIG_VFIO_MDEV"):
            self.assertEqual(want.get(opt), "y", opt)


class L2Guest(unittest.TestCase):
    def test_only_groups_that_say_so_get_the_l2_parts(self):
        self.assertTrue(l2guest.needed("# x\n# vmrun: needs l2\na 1 b\n"))
        self.assertFalse(l2guest.needed("a 1 b  # vmrun: needs l2\n"))
        self.assertFalse(l2guest.needed("a 1 b\n"))

    def test_initramfs_holds_init_and_modules_in_load_order(self):
        entries = l2guest.initramfs_entries(
            b"ELF", [("virtio", b"v"), ("virtio_pci", b"p")])
        parsed, _ = parse_newc(initramfs.cpio_archive(entries))
        files = {name: data for name, _, data in parsed}
        self.assertEqual(files["init"], b"ELF")
        self.assertEqual(files["modules/order"], b"virtio\nvirtio_pci\n")
        self.assertEqual(files["modules/virtio_pci.ko"], b"p")
        self.assertIn(("dev", initramfs.DIR, b""), parsed)

    def test_minimal_initramfs_has_no_modules(self):
        names = [n for n, _, _ in l2guest.initramfs_entries(b"ELF")]
        self.assertEqual(names, ["dev", "proc", "sys", "init"])

    def test_the_guest_driver_loads_after_its_helpers_before_bochs(self):
        mods = [("drm", b"d"), ("drm_vram_helper", b"v"), ("evdev", b"e"),
                ("bochs", b"b")]
        got = l2guest.with_guest_driver(mods, b"vp")
        self.assertEqual([n for n, _ in got],
                         ["drm", "drm_vram_helper", "evdev", "vplane-drm",
                          "bochs"])
        self.assertEqual(dict(got)["vplane-drm"], b"vp")
        with self.assertRaises(kernel.HarnessError):
            l2guest.with_guest_driver([("drm", b"d")], b"vp")

    def test_the_l2_fragment_builds_in_what_the_guest_needs(self):
        want = debugkernel.parse_fragment(
            l2kernel.CONFIG_FRAGMENT.read_text())
        for opt in ("CONFIG_PVH", "CONFIG_PCI", "CONFIG_VIRTIO_PCI",
                    "CONFIG_VIRTIO_INPUT", "CONFIG_INPUT_EVDEV",
                    "CONFIG_SERIAL_8250_CONSOLE", "CONFIG_DEVTMPFS",
                    "CONFIG_BLK_DEV_INITRD", "CONFIG_DRM_BOCHS"):
            self.assertEqual(want.get(opt), "y", opt)
        self.assertEqual(want.get("CONFIG_MODULES"), "n")



class ArchiveFromAptConfig(unittest.TestCase):
    DEB822 = """Types: deb
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
"""

    def test_deb822_stanzas(self):
        found = archive.parse_deb822(self.DEB822)
        self.assertEqual(len(found), 2)
        self.assertEqual(found[0].uri, "http://mirror.example/debian")
        self.assertEqual(found[0].suites, ("bookworm", "bookworm-updates"))
        self.assertEqual(found[0].signed_by,
                         "/usr/share/keyrings/debian-archive-keyring.gpg")

    def test_one_line_entries_with_options(self):
        found = archive.parse_one_line(
            "# comment\ndeb-src http://a/debian bookworm main\n"
            "deb [arch=amd64 signed-by=/k.gpg] http://a/debian bookworm "
            "main contrib\n")
        self.assertEqual(found, [archive.Source(
            "http://a/debian", ("bookworm",), ("main", "contrib"), "/k.gpg")])

    def test_main_archive_is_not_security_or_updates(self):
        found = archive.parse_deb822(self.DEB822)
        self.assertEqual(archive.main_archive(found[::-1]).uri,
                         "http://mirror.example/debian")

    def test_disabled_and_source_only_entries_do_not_count(self):
        text = self.DEB822.replace("Types: deb\nURIs: http://mirror",
                                   "Types: deb-src\nURIs: http://mirror")
        with self.assertRaises(kernel.HarnessError):
            archive.main_archive(archive.parse_deb822(text))


if __name__ == "__main__":
    unittest.main()
