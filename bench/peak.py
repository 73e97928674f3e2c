"""A process's own peak memory.

ru_maxrss is not enough: a process started by fork from a large parent (the benchmark, after
generating returns) inherits the parent's high-water mark at exec, so every measured process
reported the generator's memory. /proc/self/status VmHWM is the high-water mark of the
process's own memory since exec; elsewhere ru_maxrss is the best there is.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path


def own_peak_mb() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, kB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
