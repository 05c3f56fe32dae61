"""Interrupts a compile while its staging directory exists and checks that
nothing is left behind.

    interrupt.py LOOMC MODEL WORKDIR SIGNAL

Starts `LOOMC MODEL -o WORKDIR/out`, waits until the staging directory
(`WORKDIR/.out.loomc-tmp-*`) appears, sends SIGNAL (INT, TERM or HUP), and
checks that loomc exits with status 130 and that WORKDIR is empty again.
Exits 1 with a message on any other outcome (including a compile that ends
before it could be interrupted)."""
import os
import signal
import subprocess
import sys
import time

loomc, model, workdir, name = sys.argv[1:5]
os.makedirs(workdir, exist_ok=True)
if os.listdir(workdir):
    sys.exit(f"interrupt.py: {workdir} is not empty")
process = subprocess.Popen([loomc, model, "-o", os.path.join(workdir, "out")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
deadline = time.monotonic() + 300
while not any(".loomc-tmp-" in entry for entry in os.listdir(workdir)):
    if process.poll() is not None:
        sys.exit(f"interrupt.py: loomc ended (status {process.returncode}) "
                 "before its staging directory was seen")
    if time.monotonic() > deadline:
        process.kill()
        sys.exit("interrupt.py: no staging directory after 300 s")
    time.sleep(0.01)
process.send_signal(getattr(signal, "SIG" + name))
_, stderr = process.communicate(timeout=300)
left = sorted(os.listdir(workdir))
if process.returncode != 130 or left:
    sys.exit(f"interrupt.py: SIG{name}: status {process.returncode} (expected "
             f"130), left behind: {left}, stderr: {stderr.decode()[-2000:]}")
print(f"SIG{name}: status 130, nothing left")
