"""Turn the guest's results into a TAP stream for meson."""

from dataclasses import dataclass, field

SKIP = 77


@dataclass
class PlannedTest:
    name: str
    timeout: int
    command: str


@dataclass
class Outcome:
    name: str
    rc: int
    ms: int


def parse_group(text: str, source: str = "group") -> "list[PlannedTest]":
    """`<name> <timeout-seconds> <command...>` per line; '#' comments."""
    tests, names = [], set()
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3 or not parts[1].isdigit() or int(parts[1]) <= 0:
            raise ValueError(f"{source}:{n}: want '<name> <seconds> <command>'")
        name = parts[0]
        if not all(c.isalnum() or c in "-_." for c in name):
            raise ValueError(f"{source}:{n}: bad test name {name!r}")
        if name in names:
            raise ValueError(f"{source}:{n}: duplicate test {name!r}")
        names.add(name)
        tests.append(PlannedTest(name, int(parts[1]), parts[2]))
    if not tests:
        raise ValueError(f"{source}: no tests")
    return tests


def scale_timeouts(tests, factor: int):
    """The plan for a kernel `factor` times slower than the one the group's
    timeouts were written for."""
    return [PlannedTest(t.name, t.timeout * factor, t.command) for t in tests]


def plan_tsv(tests) -> str:
    return "".join(f"{t.name}\t{t.timeout}\t{t.command}\n" for t in tests)


def parse_status(text: str) -> "dict[str, Outcome]":
    """The guest's status file: name, exit code, milliseconds per line.
    A truncated last line (guest died mid-write) is ignored."""
    out = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        try:
            out[parts[0]] = Outcome(parts[0], int(parts[1]), int(parts[2]))
        except ValueError:
            continue
    return out


def figures(log: str) -> "list[str]":
    """Lines a test printed for the TAP stream (`# ...`)."""
    return [ln for ln in log.splitlines() if ln.startswith("# ")]


def _diag(text: str, limit: int = 40) -> "list[str]":
    """Output as TAP comment lines ("# ..." at the start of a line: meson's
    TAP parser rejects anything else between test lines)."""
    lines = text.splitlines()[-limit:]
    return ["# " + ln for ln in lines] if lines else ["# (no output)"]


@dataclass
class Report:
    lines: "list[str]" = field(default_factory=list)
    failed: int = 0
    count: int = 0

    def add(self, ok: bool, desc: str, directive: str = "", diag=()):
        self.count += 1
        if not ok:
            self.failed += 1
        d = f" # {directive}" if directive else ""
        self.lines.append(f"{'ok' if ok else 'not ok'} {self.count} - {desc}{d}")
        self.lines.extend(diag)

    def text(self) -> str:
        return "\n".join([f"1..{self.count}"] + self.lines) + "\n"


def report_tests(rep: Report, plan, status, logs, strict: bool,
                 why_missing: str):
    """One TAP line per planned test. `logs` maps name to its output."""
    for t in plan:
        log = logs.get(t.name, "")
        o = status.get(t.name)
        rep.lines.extend(figures(log))
        if o is None:
            rep.add(False, t.name, diag=[f"# did not complete: {why_missing}"]
                    + _diag(log))
        elif o.rc == 0:
            rep.add(True, f"{t.name} ({o.ms} ms)")
        elif o.rc == SKIP:
            reason = (log.strip().splitlines() or ["no reason given"])[-1]
            if strict:
                rep.add(False, t.name, diag=[
                    "# skipped, and skips fail under VPLANE_STRICT=1: "
                    + reason])
            else:
                rep.add(True, t.name, directive="SKIP " + reason)
        elif o.rc in (124, 137):
            rep.add(False, t.name, diag=[
                f"# timed out after {t.timeout} s"] + _diag(log))
        else:
            rep.add(False, t.name, diag=[f"# exit status {o.rc}"]
                    + _diag(log))
