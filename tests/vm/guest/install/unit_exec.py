#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run a systemd service unit's ExecStart the way systemd would, where
systemd is not PID 1 (the test VM): the unit's Environment= only, its
RuntimeDirectory= (under /run) and StateDirectory= (under /var/lib,
every component of the path) created for the service's user,
LoadCredential= files
copied to /run/credentials/UNIT/ for that user alone (mode 0400, with
CREDENTIALS_DIRECTORY set), DynamicUser= as an unprivileged uid with no
name, SupplementaryGroups= as the only groups.

    unit_exec.py UNIT-FILE [--print]

Any [Service] setting this runner does not implement, an ExecStart= prefix
or a specifier/variable it would have to expand is an error (exit 2): the
test then fails instead of running something other than what the unit
says. --print shows the resolved command, user and environment and exits.
"""
import grp
import os
import shlex
import sys

# systemd's dynamic users come from 61184-65519; one fixed uid from that
# range stands in for it (a uid no account has, like systemd's)
DYNAMIC_UID = 61184
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# settings that only matter to systemd's supervision, not to the process
IGNORED = {"Type", "Restart", "RestartSec"}


def fail(msg):
    print(f"unit_exec: {msg}", file=sys.stderr)
    sys.exit(2)


def parse(path):
    """[Service] settings of @path: key -> list of values."""
    section, service = None, {}
    with open(path) as f:
        lines = f.read().splitlines()
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.endswith("\\"):
            fail(f"{path}:{n}: line continuations are not implemented")
        if line.startswith("["):
            section = line
            continue
        if "=" not in line:
            fail(f"{path}:{n}: not 'key=value': {line}")
        key, value = (s.strip() for s in line.split("=", 1))
        if section == "[Service]":
            service.setdefault(key, []).append(value)
    return service


def plain(value, what):
    if "%" in value or "$" in value:
        fail(f"{what} '{value}' needs specifier or variable expansion, "
             "which this runner does not implement")
    return value


def resolve(service):
    known = {"ExecStart", "Environment", "DynamicUser", "SupplementaryGroups",
             "RuntimeDirectory", "RuntimeDirectoryMode",
             "StateDirectory", "StateDirectoryMode",
             "LoadCredential"} | IGNORED
    for key in service:
        if key not in known:
            fail(f"[Service] {key}= is not implemented by this runner")
    execs = service.get("ExecStart", [])
    if len(execs) != 1:
        fail(f"expected one ExecStart=, found {len(execs)}")
    argv = shlex.split(plain(execs[0], "ExecStart"))
    if not argv or argv[0][0] in "-@+!:":
        fail(f"ExecStart '{execs[0]}': prefixes are not implemented")
    env = {"PATH": DEFAULT_PATH}
    for value in service.get("Environment", []):
        for item in shlex.split(plain(value, "Environment")):
            if "=" not in item:
                fail(f"Environment item '{item}' is not NAME=value")
            k, v = item.split("=", 1)
            env[k] = v
    dynamic = service.get("DynamicUser", ["no"])[-1] in ("yes", "true", "1")
    uid = gid = DYNAMIC_UID if dynamic else 0
    groups = [grp.getgrnam(g).gr_gid
              for v in service.get("SupplementaryGroups", []) for g in v.split()]
    rundirs = [plain(d, "RuntimeDirectory")
               for v in service.get("RuntimeDirectory", []) for d in v.split()]
    mode = int(service.get("RuntimeDirectoryMode", ["0755"])[-1], 8)
    statedirs = [plain(d, "StateDirectory")
                 for v in service.get("StateDirectory", []) for d in v.split()]
    state_mode = int(service.get("StateDirectoryMode", ["0755"])[-1], 8)
    creds = []
    for value in service.get("LoadCredential", []):
        cid, sep, src = plain(value, "LoadCredential").partition(":")
        if not sep or not cid or "/" in cid or not src.startswith("/"):
            fail(f"LoadCredential '{value}' is not ID:/ABSOLUTE/PATH")
        creds.append((cid, src))
    return (argv, env, uid, gid, groups, rundirs, mode, creds, statedirs,
            state_mode)


def load_credentials(unit, creds, uid, env):
    """systemd's copy of each credential, readable by the service only."""
    if not creds:
        return
    d = os.path.join("/run/credentials", unit)
    os.makedirs(d, mode=0o500, exist_ok=True)
    for cid, src in creds:
        with open(src, "rb") as f:
            data = f.read()
        dst = os.path.join(d, cid)
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o400)
        os.write(fd, data)
        os.fchown(fd, uid, uid)
        os.fchmod(fd, 0o400)
        os.close(fd)
    os.chown(d, uid, uid)
    os.chmod(d, 0o500)
    env["CREDENTIALS_DIRECTORY"] = d


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and
                                       sys.argv[2] != "--print"):
        fail("usage: unit_exec.py UNIT-FILE [--print]")
    try:
        (argv, env, uid, gid, groups, rundirs, mode, creds, statedirs,
         state_mode) = resolve(parse(sys.argv[1]))
    except (OSError, KeyError, ValueError) as e:
        fail(f"{sys.argv[1]}: {e}")
    if len(sys.argv) == 3:
        print("argv:", shlex.join(argv))
        print(f"uid {uid} gid {gid} groups {groups}")
        print("runtime dirs:", " ".join(rundirs))
        print("state dirs:", " ".join(statedirs))
        for cid, src in creds:
            print(f"credential {cid} {src}")
        for k, v in sorted(env.items()):
            print(f"env {k}={v}")
        return
    for d in rundirs:
        path = os.path.join("/run", d)
        os.makedirs(path, exist_ok=True)
        os.chown(path, uid, gid)
        os.chmod(path, mode)
    for d in statedirs:
        # systemd makes and owns every component: a/b gives /var/lib/a
        # and /var/lib/a/b to the service's user
        parts = [p for p in d.split("/") if p]
        if not parts or ".." in parts:
            fail(f"StateDirectory '{d}' is not a relative path")
        for i in range(1, len(parts) + 1):
            path = os.path.join("/var/lib", *parts[:i])
            os.makedirs(path, exist_ok=True)
            os.chown(path, uid, gid)
            os.chmod(path, state_mode)
    try:
        load_credentials(os.path.basename(sys.argv[1]), creds, uid, env)
    except OSError as e:
        fail(f"LoadCredential: {e}")
    os.setgroups(groups)
    os.setgid(gid)
    os.setuid(uid)
    os.chdir("/")
    os.execve(argv[0], argv, env)


if __name__ == "__main__":
    main()
