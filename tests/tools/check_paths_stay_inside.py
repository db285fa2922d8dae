#!/usr/bin/env python3
"""Fails when a file of the repository reads or links a path outside it.

A clone has nothing beside it, so a test, script, build file or doc that
climbs out of the checkout (`../x` past the root, a machine's own absolute
folders such as /work or /home) works on one machine and nowhere else.
Markdown links must also name files that exist inside the repository.
One use is allowed on purpose: a line marked `outside-repo: optional` (CMake's
search for extra parity fixtures, which are never required).

    check_paths_stay_inside.py ROOT          # exit 1 and a list when something escapes
    check_paths_stay_inside.py --self-test   # plants escapes in a temp tree and expects each caught
"""
import os
import re
import subprocess
import sys
import tempfile

ALLOW_MARK = "outside-repo: " + "optional"
SKIP_DIRS = {".git", "build", "fixtures", "models", "node_modules", "__pycache__"}
# ../ chains followed by a name: resolved against the file's folder, or the root
# when a root variable precedes them.
CLIMB = re.compile(r"((?:\$\{?[A-Za-z_]+\}?|\$\([^)]*\))/)?((?:\.\./)+)([\w.@+-]+)")
ROOT_VARIABLES = ("CMAKE_SOURCE_DIR", "root", "src", "ATTNSCOPE_SOURCE_DIR", "PROJECT_SOURCE_DIR")
MACHINE_FOLDERS = re.compile(r"(?<![\w.])/(?:work|home|root|mnt|srv)/[\w.-]+")
MD_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def tracked_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True, check=True).stdout
        files = [f for f in out.decode().split("\0") if f]
        if files:
            return files
    except (OSError, subprocess.CalledProcessError):
        pass
    found = []
    for base, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith("build")]
        found += [os.path.relpath(os.path.join(base, n), root) for n in names]
    return found


def is_text(path):
    with open(path, "rb") as f:
        return b"\0" not in f.read(8192)


def inside(path, root):
    real_root = os.path.realpath(root)
    return os.path.realpath(path) == real_root or os.path.realpath(path).startswith(real_root + os.sep)


def problems_in(root, rel):
    path = os.path.join(root, rel)
    if any(part in SKIP_DIRS for part in rel.split(os.sep)[:-1]) or not os.path.isfile(path) or not is_text(path):
        return []
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    for number, line in enumerate(lines, 1):
        if ALLOW_MARK in line:
            continue
        where = f"{rel}:{number}"
        for match in CLIMB.finditer(line):
            prefix, climb, name = match.groups()
            base = root if prefix and any(v in prefix for v in ROOT_VARIABLES) else os.path.dirname(path)
            if not inside(os.path.normpath(os.path.join(base, climb + name)), root):
                out.append(f"{where}: '{climb}{name}' leaves the repository")
        for match in MACHINE_FOLDERS.finditer(line):
            out.append(f"{where}: '{match.group(0)}' is a folder of one machine")
        if rel.endswith(".md"):
            for match in MD_LINK.finditer(line):
                target = match.group(1)
                if re.match(r"^[a-z]+:", target):
                    continue  # a URL
                resolved = os.path.normpath(os.path.join(os.path.dirname(path), target))
                if not inside(resolved, root):
                    out.append(f"{where}: link '{target}' leaves the repository")
                elif not os.path.exists(resolved):
                    out.append(f"{where}: link '{target}' names no file of the repository")
    return out


def check(root):
    me = os.path.relpath(os.path.abspath(__file__), root)
    problems = []
    for rel in tracked_files(root):
        if rel != me:
            problems += problems_in(root, rel)
    return problems


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "repo")
        os.makedirs(os.path.join(root, "docs"))
        os.makedirs(os.path.join(root, "scripts"))
        planted = {
            "docs/a.md": "See [design](../../shared/DESIGN.md) and [ok](b.md) and [gone](c.md).\n",
            "docs/b.md": "fine, [up](../README.md)\n",
            "README.md": "x\n",
            "scripts/t.sh": 'cat "$root/../shared/fixtures/x"\nls /work/shared\nls ../scripts/t.sh\n',
            "CMakeLists.txt": 'set(A "${CMAKE_SOURCE_DIR}/../shared/fixtures")\nset(B "${CMAKE_SOURCE_DIR}/../x")  # ' + ALLOW_MARK + "\n",
        }
        for rel, text in planted.items():
            with open(os.path.join(root, rel), "w") as f:
                f.write(text)
        found = check(root)
        expected = ["docs/a.md:1: link '../../shared/DESIGN.md'", "docs/a.md:1: '../../shared'", "docs/a.md:1: link 'c.md' names no file",
                    "scripts/t.sh:1: '../shared'", "scripts/t.sh:2: '/work/shared'", "CMakeLists.txt:1: '../shared'"]
        missing = [e for e in expected if not any(f.startswith(e) for f in found)]
        extra = [f for f in found if not any(f.startswith(e) for e in expected)]
        assert not missing and not extra, f"self-test: missing {missing}, unexpected {extra}"
    print("self-test: every planted escape caught, nothing else")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    self_test()
    problems = check(sys.argv[1])
    for p in problems:
        print(p)
    print("no path leaves the repository" if not problems else f"{len(problems)} paths leave the repository")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
