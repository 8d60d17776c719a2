"""A Debian kernel's module build tree, prepared from its linux-source with
the host's gcc, for kernels whose linux-headers this host cannot use.

Debian 13's kernels (trixie's 6.12, trixie-backports' 7.x) are gcc-14 builds:
their headers' Makefile calls gcc-14 and their Kbuild tools (fixdep, modpost,
genksyms) are linked against trixie's glibc; Debian 12 has neither. Modules
built with another gcc load fine as long as the tree has the booted kernel's
config, release string and symbol CRCs, so the tree is made from:

- the kernel's own linux-source (its exact version),
- its headers' .config, run through olddefconfig under the host gcc (only
  the compiler-probed CONFIG_CC_* / CONFIG_*_VERSION lines may change; what
  changed is kept in config.diff),
- LOCALVERSION so that kernel.release is the Debian ABI (vermagic matches),
- its headers' Module.symvers, so modpost records the booted kernel's CRCs.

`make modules_prepare` then builds the Kbuild tools with the host's gcc and
glibc. Everything is cached with the rest of the kernel's parts.
"""

import os
import subprocess
import sys
from pathlib import Path

from .kernel import HarnessError


def _log(msg: str):
    print("vmrun: " + msg, file=sys.stderr, flush=True)


def kernel_version(src: Path) -> str:
    """VERSION.PATCHLEVEL.SUBLEVEL of a source tree's Makefile."""
    fields = {}
    for line in (src / "Makefile").read_text().splitlines()[:12]:
        if "=" in line:
            k, v = line.split("=", 1)
            fields[k.strip()] = v.strip()
    try:
        ver = f"{fields['VERSION']}.{fields['PATCHLEVEL']}"
        if fields.get("SUBLEVEL", ""):
            ver += "." + fields["SUBLEVEL"]
        return ver + fields.get("EXTRAVERSION", "")
    except KeyError as e:
        raise HarnessError(f"{src}/Makefile names no kernel version") from e


def local_version(abi: str, version: str) -> str:
    """The part of the Debian ABI after the upstream version:
    ("7.3.4+deb13-amd64", "7.3.4") -> "+deb13-amd64"."""
    if not abi.startswith(version):
        raise HarnessError(f"kernel ABI {abi} does not start with its "
                           f"source's version {version}")
    return abi[len(version):]


def config_changes(before: str, after: str) -> "list[str]":
    """Lines of one .config not in the other ("-" old, "+" new), comments
    other than `is not set` left out."""
    def lines(text):
        return {ln for ln in text.splitlines()
                if ln.startswith("CONFIG_") or ln.endswith(" is not set")}
    old, new = lines(before), lines(after)
    return sorted("-" + ln for ln in old - new) + \
        sorted("+" + ln for ln in new - old)


def _make(src: Path, out: Path, *args):
    cmd = ["make", "-s", "-C", str(src), f"O={out}",
           f"-j{(os.cpu_count() or 1) + 1}", "LOCALVERSION=", *args]
    _log(" ".join(cmd))
    res = subprocess.run(cmd, text=True, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    if res.returncode:
        raise HarnessError("preparing the kernel tree failed: "
                           + " ".join(cmd) + "\n" + res.stdout[-4000:])
    return res.stdout


def prepare(src: Path, headers: Path, out: Path, abi: str):
    """Configure `src` into `out` as the kernel of `headers` and run
    modules_prepare; fail unless kernel.release is `abi`."""
    config = (headers / ".config").read_text()
    local = local_version(abi, kernel_version(src))
    out.mkdir(parents=True, exist_ok=True)
    # Debian sets the ABI suffix on make's command line, not in the config
    text = "\n".join(ln for ln in config.splitlines()
                     if not ln.startswith("CONFIG_LOCALVERSION"))
    text += f'\nCONFIG_LOCALVERSION="{local}"\n' \
        "# CONFIG_LOCALVERSION_AUTO is not set\n"
    (out / ".config").write_text(text)
    _make(src, out, "olddefconfig")
    after = (out / ".config").read_text()
    (out / "config.diff").write_text(
        "\n".join(config_changes(config, after)) + "\n")
    _make(src, out, "modules_prepare")
    release = (out / "include/config/kernel.release").read_text().strip()
    if release != abi:
        raise HarnessError(f"prepared kernel tree is release {release}, "
                           f"not the booted kernel's {abi}")
    symvers = headers / "Module.symvers"
    (out / "Module.symvers").write_bytes(symvers.read_bytes())
