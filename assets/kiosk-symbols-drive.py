"""Drives a kiosk through a person's visit, blind (no screen parsing: the
pauses are long enough under valgrind), for assets/kiosk-symbols.sh.

Usage: kiosk-symbols-drive.py SCREEN_LOG PROGRAM ARGS...
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

log_path, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
log = open(log_path, "wb")


def pump(secs):
    end = time.time() + secs
    while time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                log.write(os.read(fd, 65536))
            except OSError:
                return


def typ(keys, gap):
    for ch in keys:
        os.write(fd, ch.encode())
        pump(gap)


pump(20)                    # start, the roster from the hub, the first sync
typ("ana", 0.3)
pump(2)
typ("\r", 0.1)              # Ana María López: the PIN pad
pump(3)
typ("0606\r", 0.4)          # her PIN, checked
pump(8)
typ("\r", 0.1)              # the first action: a punch, its confirmation
pump(8)
typ("1007\r", 0.01)         # Ben Carter's badge
pump(5)
typ("\r", 0.1)
pump(8)
typ("\x1b", 0.1)            # home; the sync worker sends the punch
pump(15)
os.kill(pid, signal.SIGTERM)
pump(15)
_, status = os.waitpid(pid, 0)
sys.exit(0 if status == 0 else 1)
