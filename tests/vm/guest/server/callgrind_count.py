#!/usr/bin/env python3
"""callgrind_count.py DUMP FUNCTION...: from a callgrind dump, the
instructions counted and, for each FUNCTION, its calls and inclusive
instructions.

Prints "IR CALLS1 INCL1 CALLS2 INCL2 ..." on one line: IR is the dump's
"summary:" (every instruction since the counters were last zeroed);
CALLSk the calls into FUNCTIONk summed over every call site; INCLk the
instructions executed in FUNCTIONk and everything it called (its own cost
lines plus the cost lines of its calls). The dump format is read directly
(callgrind's name compression: "fn=(id) name" or "cfn=(id) name" the first
time, "(id)" after), with one event (Ir), the default.
"""

import re
import sys

NAME = re.compile(r"c?fn=(?:\((\d+)\))?\s*(.*)")


def count(path, functions):
    names = {}          # compressed id -> name
    calls = dict.fromkeys(functions, 0)
    incl = dict.fromkeys(functions, 0)
    summary = None
    fn = callee = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                # a cost line: position then Ir; after calls= it is the
                # inclusive cost of those calls, else the function's own:
                # both count towards the function's inclusive cost
                fields = line.split()
                if fn in incl and len(fields) > 1:
                    incl[fn] += int(fields[-1])
                continue
            if line.startswith("summary:"):
                summary = int(line.split()[1])
            elif line.startswith(("fn=", "cfn=")):
                m = NAME.match(line)
                ident, name = m.group(1), m.group(2)
                if ident is not None and name:
                    names[ident] = name
                name = names.get(ident, name) if ident is not None else name
                if line.startswith("fn="):
                    fn = name
                else:
                    callee = name
            elif line.startswith("calls="):
                if callee in calls:
                    calls[callee] += int(line[6:].split()[0])
    if summary is None:
        raise SystemExit(f"{path}: no summary line (not a callgrind dump?)")
    out = [summary]
    for name in functions:
        out += [calls[name], incl[name]]
    return out


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    print(*count(sys.argv[1], sys.argv[2:]))


if __name__ == "__main__":
    main()
