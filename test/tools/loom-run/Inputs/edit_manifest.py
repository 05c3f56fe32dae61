"""Copies a loomc output directory and edits its manifest.json, to test how
loom-run rejects broken manifests.

Usage: python edit_manifest.py SRC DST EDIT...
  EDIT is PATH=JSON (set) or -PATH (delete), PATH a dotted key path whose
  numeric parts index lists, e.g. inputs.0.dtype="complex64" or -outputs.
"""
import json
import os
import shutil
import sys


def main(src, dst, edits):
    shutil.copytree(src, dst)
    path = os.path.join(dst, "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    for edit in edits:
        delete = edit.startswith("-")
        key, _, value = edit.lstrip("-").partition("=")
        *parents, last = key.split(".")
        node = manifest
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last = int(last) if isinstance(node, list) else last
        if delete:
            del node[last]
        else:
            node[last] = json.loads(value)
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
