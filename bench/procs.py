"""CPU seconds and peak RSS of the processes the bench started (psutil, by PID).

Names in ``with_children`` count with their descendants (PostgreSQL's backends are
the postmaster's children); the others alone (the bench's own process is the parent
of every service, which must not be billed to it). A thread samples every
``interval`` seconds: CPU per PID (a process that exits keeps its last reading, so it
loses at most one interval) and RSS, whose peak is the highest sum seen at a sample,
not a true maximum; summed RSS counts shared memory once per process."""

from __future__ import annotations

import threading

import psutil

CpuSnapshot = dict[str, dict[int, float]]  # name -> pid -> CPU seconds


def _family(pid: int, children: bool) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)] if children else [root]
    except psutil.Error:
        return []


def _cpu(process: psutil.Process) -> float | None:
    try:
        times = process.cpu_times()
    except psutil.Error:  # gone meanwhile: keep its last reading
        return None
    return float(times.user + times.system)


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.Error:
        return 0


class ProcessMonitor:
    def __init__(
        self, pids: dict[str, int], with_children: frozenset[str], interval: float = 0.5
    ) -> None:
        self.pids = dict(pids)
        self.with_children = with_children
        self._last: CpuSnapshot = {}
        self._lock = threading.Lock()
        self.peak_rss: dict[str, int] = dict.fromkeys(pids, 0)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="bench-rss", daemon=True)

    def start(self) -> ProcessMonitor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def watch(self, name: str, pid: int) -> None:
        """Also measure ``pid`` from now on (a reference server started mid-run)."""
        self.peak_rss.setdefault(name, 0)
        self.pids = {**self.pids, name: pid}  # a new dict: the sampler may be iterating

    def family(self, name: str) -> list[psutil.Process]:
        return _family(self.pids[name], name in self.with_children)

    def cpu(self) -> CpuSnapshot:
        """CPU seconds (user + system) so far, per name and PID, gone PIDs included."""
        with self._lock:
            for name in list(self.pids):
                seen = self._last.setdefault(name, {})
                now = {p.pid: _cpu(p) for p in self.family(name)}
                seen.update({pid: t for pid, t in now.items() if t is not None})
            return {name: dict(pids) for name, pids in self._last.items()}

    @staticmethod
    def total(snapshot: CpuSnapshot) -> dict[str, float]:
        return {name: round(sum(pids.values()), 2) for name, pids in snapshot.items()}

    @staticmethod
    def delta(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float]:
        """CPU spent between two snapshots, per name (PIDs born in between count whole)."""
        return {
            name: round(sum(t - before.get(name, {}).get(pid, 0.0) for pid, t in pids.items()), 2)
            for name, pids in after.items()
        }

    def peak_rss_mib(self) -> dict[str, float]:
        return {name: round(rss / 2**20, 1) for name, rss in self.peak_rss.items()}

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            self.cpu()
            for name in list(self.pids):
                rss = sum(_rss(p) for p in self.family(name))
                self.peak_rss[name] = max(self.peak_rss[name], rss)


def machine_busy_seconds() -> float:
    """CPU seconds every process of the machine has used since boot (all cores)."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))
