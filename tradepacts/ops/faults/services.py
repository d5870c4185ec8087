"""The private servers and app processes the fault drills start, and stop."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psycopg

BASE_DIR = Path(__file__).resolve().parents[3]
T = TypeVar("T")
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
WORKDIR = Path(os.environ.get("FAULTS_WORKDIR", "/tmp/tradepacts-faults"))


def wait_for(check: Callable[[], T], seconds: float, what: str, interval: float = 0.2) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = check()
        except Exception:  # not yet: connection refused, no row yet
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {seconds:.0f} s waiting for {what}")
        time.sleep(interval)


class PrivateRedis:
    """redis-server on its own port, no persistence: a restart starts empty, as after a crash."""

    def __init__(self, port: int = 6390) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}"

    def ping(self) -> bool:
        import redis

        return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())

    def start(self) -> None:
        if answers(self.ping):
            raise RuntimeError(
                f"port {self.port} is taken by another Redis: stop it first (redis-cli -p {self.port} shutdown)"
            )
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--daemonize", "yes"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(WORKDIR)]
        command += ["--pidfile", str(WORKDIR / f"redis-{self.port}.pid")]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        wait_for(self.ping, 20, f"Redis on port {self.port}")

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, check=False)
        wait_for(lambda: not answers(self.ping), 20, f"Redis on port {self.port} to stop")


def answers(ping: Callable[[], bool]) -> bool:
    try:
        return ping()
    except Exception:
        return False


class PrivatePostgres:
    """A throw-away PostgreSQL cluster: trust authentication, socket in /tmp, no fsync."""

    def __init__(self, port: int = 5440, datadir: Path = Path("/tmp/tp_faults_pg")) -> None:
        self.port, self.datadir = port, datadir
        self.log = WORKDIR / "postgres.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ("runuser", "-u", "postgres", "--", *command)
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess:
        return self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), *args)

    def start(self) -> None:
        self.remove()
        self.datadir.mkdir(parents=True)
        WORKDIR.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres", "postgres")
            shutil.chown(self.log, "postgres", "postgres")
        result = self._run(
            str(PG_BIN / "initdb"), "-D", str(self.datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        if result.returncode:
            raise RuntimeError(f"initdb failed: {result.stderr}")
        self.boot()

    def boot(self, action: str = "start") -> None:
        # -l: the server's output goes to the log, never to pg_ctl's pipes (which
        # would then stay open for the server's lifetime, and this call with them).
        options = f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        result = self._pg_ctl("-o", options, "-l", str(self.log), "-m", "fast", "-w", "-t", "60", action)
        if result.returncode:
            raise RuntimeError(f"PostgreSQL did not {action}: {result.stderr}{self.log.read_text()[-2000:]}")

    def restart(self) -> float:
        """``pg_ctl restart -m fast`` (what an upgrade or a failover looks like to clients); its seconds."""
        started = time.monotonic()
        self.boot("restart")
        return time.monotonic() - started

    def remove(self) -> None:
        if (self.datadir / "postmaster.pid").exists():
            self._pg_ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(self.datadir, ignore_errors=True)

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def app_env(database_url: str, redis: PrivateRedis | None, **extra: str) -> dict[str, str]:
    """The production settings for processes of this drill: DEBUG off, its own servers."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("CELERY_", "CACHE_"))}
    env.update(DEBUG="0", DATABASE_URL=database_url, LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if redis is not None:
        env.update(CELERY_BROKER_URL=f"{redis.url}/0", CACHE_URL=f"{redis.url}/1")
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class Process:
    """A child process in its own process group, its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        WORKDIR.mkdir(parents=True, exist_ok=True)
        self.name, self.log = name, WORKDIR / f"{name}.log"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole group: the worker and any pool processes."""
        if self.alive():
            os.killpg(self.process.pid, sig)
            self.process.wait(30)

    def stop(self) -> None:
        if not self.alive():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def celery_worker(name: str, env: dict[str, str], *, pool: str = "solo") -> Process:
    command = [str(Path(sys.executable).with_name("celery")), "-A", "tradepacts", "worker", "--pool", pool]
    command += ["--concurrency", "1", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
    worker = Process(name, command, env)
    wait_for(lambda: "ready." in worker.log.read_text() or not worker.alive(), 90, f"{name} to be ready")
    if not worker.alive():
        raise RuntimeError(f"{name} exited:\n{worker.tail()}")
    return worker


def gunicorn(name: str, env: dict[str, str], port: int, workers: int = 2) -> Process:
    command = [str(Path(sys.executable).with_name("gunicorn")), "tradepacts.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60"]
    server = Process(name, command, env)

    def healthy() -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
            return response.status == 200

    wait_for(lambda: healthy() or not server.alive(), 90, f"{name} to answer")
    if not server.alive():
        raise RuntimeError(f"{name} exited:\n{server.tail()}")
    return server


def send_task(redis: PrivateRedis, name: str, args: list | None = None) -> None:
    """Queue a task by name, as the web app or beat would."""
    from celery import Celery

    sender = Celery("tradepacts-faults", broker=f"{redis.url}/0")
    sender.send_task(name, args=args or [])
    sender.close()


def query(database_url: str, sql: str, params: list | None = None) -> list[tuple]:
    with psycopg.connect(database_url, connect_timeout=5) as conn:
        cursor = conn.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else []
