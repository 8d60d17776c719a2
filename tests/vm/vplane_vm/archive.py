"""Another suite of the machine's own Debian archive, for newer test kernels.

The archive address is read at run time from the system's apt configuration
(sources.list one-line entries and deb822 .sources files), never written in
the repository. Each suite gets a private apt state under the cache
(Dir::Etc::SourceList, Dir::State::Lists), so the system's apt lists and
sources stay untouched.
"""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .kernel import HarnessError, cache_dir

APT_ETC = Path("/etc/apt")


@dataclass(frozen=True)
class Source:
    uri: str
    suites: "tuple[str, ...]"
    components: "tuple[str, ...]"
    signed_by: str  # keyring path, or ""


def parse_one_line(text: str) -> "list[Source]":
    """`deb [opts] URI SUITE COMPONENT...` lines of a sources.list."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.match(r"^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$",
                     line)
        if not m:
            continue
        opts = dict(o.split("=", 1) for o in (m.group(1) or "").split()
                    if "=" in o)
        out.append(Source(m.group(2), (m.group(3),),
                          tuple(m.group(4).split()),
                          opts.get("signed-by", "")))
    return out


def parse_deb822(text: str) -> "list[Source]":
    """Stanzas of a .sources file with `Types: deb`."""
    out = []
    for stanza in re.split(r"\n\s*\n", text):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[0].isspace():
                continue
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.strip()
        if "deb" not in fields.get("types", "").split() or \
                fields.get("enabled", "yes").lower() == "no":
            continue
        for uri in fields.get("uris", "").split():
            out.append(Source(uri, tuple(fields.get("suites", "").split()),
                              tuple(fields.get("components", "").split()),
                              fields.get("signed-by", "")))
    return out


def system_sources(etc: Path = APT_ETC) -> "list[Source]":
    found = []
    lst = etc / "sources.list"
    if lst.is_file():
        found += parse_one_line(lst.read_text())
    parts = etc / "sources.list.d"
    for f in sorted(parts.glob("*.list")) if parts.is_dir() else []:
        found += parse_one_line(f.read_text())
    for f in sorted(parts.glob("*.sources")) if parts.is_dir() else []:
        found += parse_deb822(f.read_text())
    return found


def main_archive(sources: "list[Source]") -> Source:
    """The entry carrying the release's main suite (not -security or
    -updates): the archive every Debian suite lives in."""
    for s in sources:
        for suite in s.suites:
            if "/" not in suite and "-" not in suite and "main" in \
                    s.components:
                return s
    raise HarnessError("no Debian main archive entry in the apt "
                       "configuration (/etc/apt/sources.list(.d))")


class Suite:
    """apt-get/apt-cache over one suite of the system's archive."""

    def __init__(self, suite: str, source: "Source | None" = None):
        self.suite = suite
        self.source = source or main_archive(system_sources())
        self.dir = cache_dir() / "apt" / suite

    def _opts(self) -> "list[str]":
        return ["-o", f"Dir::Etc::SourceList={self.dir / 'sources.list'}",
                "-o", f"Dir::Etc::SourceParts={self.dir / 'parts'}",
                "-o", f"Dir::State::Lists={self.dir / 'lists'}",
                "-o", f"Dir::Cache={self.dir / 'cache'}",
                "-o", "Dir::Etc::Preferences=/dev/null",
                "-o", f"Dir::Etc::PreferencesParts={self.dir / 'parts'}"]

    def update(self):
        """Write the private sources list and fetch its indexes."""
        for sub in ("parts", "lists/partial", "cache/archives/partial"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        opt = f"[signed-by={self.source.signed_by}] " \
            if self.source.signed_by else ""
        (self.dir / "sources.list").write_text(
            f"deb {opt}{self.source.uri} {self.suite} main\n")
        self.run(["apt-get", "update", "-q"])

    def run(self, argv, cwd=None) -> str:
        cmd = argv[:1] + self._opts() + argv[1:]
        try:
            return subprocess.run(cmd, check=True, text=True, cwd=cwd,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            err = getattr(e, "stderr", "") or str(e)
            raise HarnessError(f"{' '.join(argv)} ({self.suite}) failed:\n"
                               f"{err}\n(is the package archive "
                               "reachable?)") from e
