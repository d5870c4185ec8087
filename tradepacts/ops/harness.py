"""What the benchmark, the load test and the fault drills share: their own PostgreSQL database, and a
real gunicorn server (one sync worker, DEBUG off) on a free port, with an access log of server times."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

BASE_DIR = Path(__file__).resolve().parents[2]  # the repository root, where gunicorn finds tradepacts
CHUNK = 1 << 16


def ensure_database(url: str) -> None:
    """Create the bench database if the server has none of that name."""
    name = str(conninfo_to_dict(url)["dbname"])
    with psycopg.connect(url, dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"Creating database {name}.")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    """A free local port: the first free one of SERVER_PORTS ("8317-8330") when set (a
    shared machine hands each checkout its range), else any the system gives."""
    first, _, last = os.environ.get("SERVER_PORTS", "").partition("-")
    candidates = range(int(first), int(last or first) + 1) if first else [0]
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in SERVER_PORTS={os.environ['SERVER_PORTS']}")


class Server:
    """``gunicorn tradepacts.wsgi -w 1`` on a free port, with an access log of server times."""

    LOG_FORMAT = "%(m)s\t%(U)s\t%(q)s\t%(s)s\t%(D)s"

    def __init__(self, database_url: str, workdir: Path, name: str, **extra_env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access_log = workdir / f"{name}-access.log"
        self.error_log = workdir / f"{name}-error.log"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            *(str(gunicorn), "tradepacts.wsgi:application", "--workers", "1", "--bind", f"127.0.0.1:{self.port}"),
            *("--timeout", "600", "--access-logfile", str(self.access_log), "--access-logformat", self.LOG_FORMAT),
            *("--error-logfile", str(self.error_log)),
        ]
        env = {**os.environ, "DEBUG": "0", "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", **extra_env}
        # Python's own warnings (WhiteNoise's "No directory at: staticfiles/") go to a file too.
        with (workdir / f"{name}-stderr.log").open("ab") as stderr:
            self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/health/")
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"gunicorn did not start:\n{self.error_log.read_text()[-3000:]}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pid(self) -> int:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if len(children) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {children}")
        return int(children[0])

    def memory_kb(self, key: str = "VmHWM") -> int:
        for line in Path(f"/proc/{self.worker_pid()}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
        raise RuntimeError(f"no {key} in /proc status")

    def get(self, path: str, sink: Path | None = None) -> tuple[int, float]:
        """GET ``path`` to the last byte: (bytes, seconds). Streams into ``sink`` if given."""
        started = time.perf_counter()
        size = 0
        with urllib.request.urlopen(self.base + path, timeout=600) as response:
            out = sink.open("wb") if sink else None
            try:
                while chunk := response.read(CHUNK):
                    size += len(chunk)
                    if out:
                        out.write(chunk)
            finally:
                if out:
                    out.close()
        return size, time.perf_counter() - started

    def log_mark(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def server_times_ms(self, mark: int) -> list[float]:
        """The server times (gunicorn's %(D)s) of the requests logged since ``mark``."""
        with self.access_log.open("rb") as log:
            log.seek(mark)
            lines = log.read().decode().splitlines()
        return [int(line.split("\t")[4]) / 1000 for line in lines if line.count("\t") == 4]


@contextmanager
def server(database_url: str, workdir: Path, name: str, **extra_env: str) -> Iterator[Server]:
    running = Server(database_url, workdir, name, **extra_env)
    try:
        yield running
    finally:
        running.stop()
