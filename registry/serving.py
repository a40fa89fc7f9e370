"""Serving the API on every core (``cadre serve --workers N``, ``make run``).

One process supervises: it runs the sync scheduler (when enabled) and the audit sequencer,
and starts ``N`` uvicorn worker processes (spawned, so they inherit neither) that only serve
requests. The scheduler thus runs in exactly one process of the server, whatever ``N``; more
servers on other machines, or ``cadre worker`` processes beside them, are kept to one run per
job period by the job locks (``sync.runs``), and to one sequencer at a time by its advisory
lock. With ``N == 1`` everything runs in this one process, as before.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.context import SpawnProcess

import structlog
import uvicorn
from fastapi import FastAPI

from registry.app import create_app
from registry.audit.sequencer import sequence_all
from registry.config import Settings, get_settings
from registry.logging import configure
from registry.runtime import Runtime

log = structlog.get_logger("registry.serving")
# The worker processes learn how many they are from the environment (they are spawned).
WORKERS_ENV = "CADRE_SERVE_WORKERS"


def default_workers() -> int:
    return os.cpu_count() or 1


# Young objects a serving process allocates before the collector runs (CPython's default is
# 700: a file read makes thousands, so it ran several times per request).
GC_YOUNG_THRESHOLD = 20_000


def steady_heap() -> None:
    """Once the app is built: what start-up made (the app, its routes and schemas, the
    models, the catalogue) is moved out of the collector's reach (``gc.freeze``), and the
    youngest generation is collected less often. A full collection then walks only what
    requests left, not the whole start-up heap: in a 16-client run the 99th percentile of a
    file read fell from 561 ms to 83 ms (``docs/performance.md``)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn's factory): its own runtime and pool, no
    scheduler."""
    rt = Runtime(get_settings())
    configure(rt.settings.log_level, json=rt.settings.log_json)
    app = create_app(rt.settings, sessions=rt.sessions, keys=rt.key_provider)
    steady_heap()
    return app


def listen_socket(host: str, port: int) -> socket.socket:
    """A worker's own listening socket on the shared port (``SO_REUSEPORT``), made with its
    protocol (TCP) named.

    Each worker listens on a socket of its own and the kernel spreads new connections over
    them. With one socket shared by every worker, the worker whose event loop woke first
    accepted a whole burst of connections (asyncio accepts up to its backlog per wake-up),
    and kept-alive connections then loaded that one process while the others idled.

    asyncio turns Nagle's algorithm off (``TCP_NODELAY``) only on connections whose socket
    says ``IPPROTO_TCP``; a socket made with protocol 0 left each answer, sent as its
    headers then its body, waiting for the client's delayed acknowledgement (40 ms on
    Linux) before the body left."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(host: str, port: int) -> None:
    """One worker process (spawned): its own socket on the port, the app from
    ``worker_app``."""
    config = uvicorn.Config(
        "registry.serving:worker_app",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
    )
    try:
        sock = listen_socket(host, port)
    except OSError as exc:  # the port is taken by another program: a restart cannot help
        log.error("serve.cannot_listen", host=host, port=port, error=exc.strerror)
        sys.exit(Workers.STARTUP_FAILURE)
    uvicorn.Server(config).run(sockets=[sock])


@dataclass
class Restarts:
    """When to replace a worker that died: at once the first time; a worker that dies
    again before it has served ``steady`` seconds waits twice as long as the last time
    (1, 2, 4 … seconds, at most ``longest``), so a worker that crashes as soon as it
    serves is not respawned twice a second for ever; one that lived ``steady`` seconds
    starts the count again."""

    steady: float = 30.0
    longest: float = 30.0
    _delay: dict[int, float] = field(default_factory=dict)

    def after_death(self, slot: int, lived: float) -> float:
        """Seconds to wait before starting the worker of ``slot`` again."""
        last = self._delay.get(slot)
        if lived >= self.steady or last is None:
            delay = 0.0
        else:
            delay = min(self.longest, max(1.0, 2 * last))
        self._delay[slot] = delay
        return delay


class Workers:
    """``count`` worker processes, each replaced when it dies (``Restarts``); all stopped
    on SIGINT or SIGTERM. A worker that could not start (exit code 3, uvicorn's: the app,
    the database or the port is broken and would fail again) stops the server."""

    STARTUP_FAILURE = 3

    def __init__(self, host: str, port: int, count: int) -> None:
        self.host, self.port, self.count = host, port, count
        self.stopping = threading.Event()
        self.failed = False
        self.restarts = Restarts()

    def _start(self) -> SpawnProcess:
        process = multiprocessing.get_context("spawn").Process(
            target=_worker, args=(self.host, self.port), name="cadre-worker"
        )
        process.start()
        return process

    def run(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stopping.set())
        processes: list[SpawnProcess | None] = [self._start() for _ in range(self.count)]
        started = [time.monotonic()] * self.count
        due = [0.0] * self.count  # when the successor of a dead worker starts
        try:
            while not self.stopping.wait(0.5):
                now = time.monotonic()
                for n, process in enumerate(processes):
                    if process is None:
                        if now >= due[n]:
                            processes[n], started[n] = self._start(), now
                        continue
                    if process.is_alive():
                        continue
                    if process.exitcode == self.STARTUP_FAILURE:
                        log.error("serve.worker_failed_to_start", pid=process.pid)
                        self.failed = True
                        self.stopping.set()
                        break
                    wait = self.restarts.after_death(n, now - started[n])
                    log.warning(
                        "serve.worker_died", pid=process.pid, code=process.exitcode, restart_in=wait
                    )
                    processes[n], due[n] = None, now + wait
        finally:
            alive = [p for p in processes if p is not None]
            for process in alive:
                if process.is_alive():
                    process.terminate()
            for process in alive:
                process.join(timeout=30)
                if process.is_alive():
                    process.kill()
                    process.join()


class Sequencer(threading.Thread):
    """Chains pending audit entries every ``every`` seconds (the batched path; requests
    also chain their own when the lock is free if ``audit_sequence_in_request`` is on)."""

    def __init__(self, rt: Runtime, every: float) -> None:
        super().__init__(name="audit-sequencer", daemon=True)
        self.rt, self.every, self.stopping = rt, every, threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            try:
                moved = sequence_all(self.rt.sessions, self.rt.audit)
            except Exception as exc:  # the next round tries again; requests keep committing
                log.error("audit.sequence.failed", error=type(exc).__name__)
                continue
            if moved:
                log.debug("audit.sequenced", events=moved)


SEQUENCE_IN_REQUEST_ENV = "CADRE_AUDIT_SEQUENCE_IN_REQUEST"


def batched_audit(settings: Settings) -> Settings:
    """The settings a server answers with: unless told otherwise, its requests only commit
    their audit entries, and the supervising process's sequencer chains them in batches
    (every ``audit_sequence_every_seconds``), so no request does the chaining's work. The
    spawned workers read it from the environment."""
    if settings.audit_sequence_in_request is not None:
        return settings
    os.environ[SEQUENCE_IN_REQUEST_ENV] = "0"
    return settings.model_copy(update={"audit_sequence_in_request": False})


def serve(
    rt: Runtime,
    *,
    host: str,
    port: int,
    scheduler: bool | None = None,
    workers: int | None = None,
) -> None:
    configure(rt.settings.log_level, json=rt.settings.log_json)
    settings = batched_audit(rt.settings)
    count = workers or rt.settings.serve_workers or default_workers()
    if count > 1 and port == 0:
        # every worker binds the port itself: port 0 would give each a port of its own
        raise SystemExit("give --port when serving with several workers (port 0 is one each)")
    # The keyring is created here, once, before any worker could race to create its own.
    rt.audit  # noqa: B018 - loads (or creates) the keyring
    background = None
    if rt.settings.scheduler_enabled if scheduler is None else scheduler:
        import sync.jobs  # noqa: F401 - registers the jobs
        from sync.scheduler import build_scheduler

        background = build_scheduler(rt, rt.settings.sync_intervals or None)
        background.start()
    sequencer = Sequencer(rt, rt.settings.audit_sequence_every_seconds)
    sequencer.start()
    log.info("serve.start", workers=count, scheduler=background is not None)
    try:
        if count == 1:
            app = create_app(settings, sessions=rt.sessions, keys=rt.key_provider)
            steady_heap()
            uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
        else:
            os.environ[WORKERS_ENV] = str(count)
            pool = Workers(host, port, count)
            pool.run()
            if pool.failed:
                raise SystemExit(f"a worker could not start serving on {host}:{port}")
    finally:
        sequencer.stopping.set()
        if background is not None:
            background.shutdown(wait=False)
