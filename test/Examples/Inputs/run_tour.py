"""Runs the README's quick tour as written, command by command.

    run_tour.py README.md SRC_ROOT BUILD_DIR WORKDIR

Takes the first ```sh block after "## A quick tour", joins continuation
lines, points `build/bin/` at BUILD_DIR/bin and `/tmp/loom-tour` at WORKDIR,
and runs each command with bash from SRC_ROOT, stopping at the first one
that fails (its status and output are printed). The Python commands find the
runtime library in the checkout's build/lib, as the README says; only a
BUILD_DIR elsewhere is named through LOOM_RUNTIME_LIBRARY."""
import os
import re
import subprocess
import sys

readme, src, build, work = sys.argv[1:5]
text = open(readme).read()
tour = text[text.index("## A quick tour"):]
block = re.search(r"```sh\n(.*?)```", tour, re.S).group(1)
commands = []
for line in block.replace("\\\n", " ").splitlines():
    line = line.strip()
    if line and not line.startswith("#"):
        commands.append(line.replace("build/bin/", build + "/bin/")
                        .replace("/tmp/loom-tour", work))
env = dict(os.environ)
env.pop("LOOM_RUNTIME_LIBRARY", None)
if os.path.realpath(build) != os.path.realpath(os.path.join(src, "build")):
    env["LOOM_RUNTIME_LIBRARY"] = os.path.join(build, "lib",
                                               "libLoomRuntimeCore.so")
for number, command in enumerate(commands, 1):
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=src,
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"tour command {number} failed with status {done.returncode}: "
                 f"{command}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
print(f"tour: {len(commands)} commands ran")
