#!/usr/bin/env python3
"""Fails when Cargo.lock pins a crate version that its authors yanked from crates.io.

Authors yank a release that is broken or vulnerable, usually alongside a RustSec advisory, so
this is the part of the advisory check that still works where the RustSec database (on
GitHub) cannot be fetched: it needs only the crates.io index that cargo itself uses. When the
index cannot be reached either, it says so and passes, as .ci/run does for advisories.

Usage: yanked.py [Cargo.lock]   (standard library only; YANKED_INDEX_URL overrides the index)
"""

import json
import os
import sys
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"
INDEX = os.environ.get("YANKED_INDEX_URL", "https://index.crates.io").rstrip("/")


def index_path(name):
    """Where the sparse index keeps a crate's versions (cargo's layout)."""
    name = name.lower()
    if len(name) <= 2:
        return f"{len(name)}/{name}"
    if len(name) == 3:
        return f"3/{name[0]}/{name}"
    return f"{name[:2]}/{name[2:4]}/{name}"


def yanked_versions(name):
    with urllib.request.urlopen(f"{INDEX}/{index_path(name)}", timeout=20) as response:
        lines = response.read().decode().splitlines()
    return {entry["vers"] for entry in map(json.loads, filter(None, lines)) if entry.get("yanked")}


def main():
    lock_path = sys.argv[1] if len(sys.argv) > 1 else "Cargo.lock"
    with open(lock_path, "rb") as lock_file:
        packages = tomllib.load(lock_file).get("package", [])
    pinned = sorted(
        {(p["name"], p["version"]) for p in packages if p.get("source") == CRATES_IO}
    )
    names = sorted({name for name, _ in pinned})
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            yanked = dict(zip(names, pool.map(yanked_versions, names)))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        print(f"yanked crates: skipped: crates.io index unreachable ({error})")
        return 0
    found = [f"{name} {version}" for name, version in pinned if version in yanked[name]]
    if found:
        print("yanked crates in Cargo.lock (update or replace them):")
        for line in found:
            print(f"  {line}")
        return 1
    print(f"yanked crates: none among {len(pinned)} crates.io packages in {lock_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
