"""Engine and transaction handling for SQLite and PostgreSQL.

SQLite gets WAL journaling with ``synchronous=FULL`` (an acknowledged write survives a process
or power loss), a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions: a deferred
transaction that reads and then writes can fail with "database is locked" without waiting,
whereas an immediate one queues on the busy timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool

SQLITE_BUSY_TIMEOUT_MS = 30_000


# PostgreSQL SQLSTATEs of errors that a re-run of the same transaction can avoid.
_UNIQUE_VIOLATION = "23505"
_RETRYABLE_STATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")


def is_retryable(exc: BaseException) -> bool:
    """Tell whether a failed transaction lost a race and would succeed if run again.

    That is a unique-constraint violation (two transactions inserted the same new row), a
    PostgreSQL serialization failure or deadlock, or SQLite still busy after its timeout.
    Other integrity errors (a foreign key, a NOT NULL) are bugs or bad data and are not retried.
    """
    if not isinstance(exc, IntegrityError | OperationalError):
        return False
    state = getattr(exc.orig, "sqlstate", None)
    message = str(exc.orig).lower()
    if isinstance(exc, IntegrityError):
        return state == _UNIQUE_VIOLATION or "unique constraint failed" in message
    return state in _RETRYABLE_STATES or any(text in message for text in _SQLITE_BUSY)


class Base(DeclarativeBase):
    """Declarative base of every broker model."""


def normalize_url(url: str) -> str:
    """Read ``postgres://`` and driver-less ``postgresql://`` URLs as psycopg 3 ones.

    Heroku-style ``DATABASE_URL`` values (and the Ruby broker's documentation) use them, and
    SQLAlchemy would otherwise look for psycopg2, which the broker does not install.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


@dataclass(frozen=True)
class PoolOptions:
    """Connection pool and statement limits (the Pact Broker's ``PACT_BROKER_DATABASE_*``).

    Attributes:
        max_connections: Connections per process at most (PostgreSQL; SQLite has one file).
        pool_timeout: Seconds a request waits for a free connection before failing.
        statement_timeout: Seconds a PostgreSQL statement may run before the server cancels
            it (0: no limit), so one runaway query cannot hold a worker.
    """

    max_connections: int = 20
    pool_timeout: float = 5.0
    statement_timeout: float = 15.0


def make_engine(url: str, options: PoolOptions | None = None) -> Engine:
    """Create an engine tuned for the broker's access pattern on SQLite or PostgreSQL."""
    url = normalize_url(url)
    options = options or PoolOptions()
    if not is_sqlite(url):
        size = max(1, options.max_connections // 2)
        connect_args: dict[str, Any] = {}
        if options.statement_timeout > 0:
            milliseconds = int(options.statement_timeout * 1000)
            connect_args["options"] = f"-c statement_timeout={milliseconds}"
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=size,
            max_overflow=max(0, options.max_connections - size),
            pool_timeout=options.pool_timeout,
            connect_args=connect_args,
        )
    parsed = make_url(url)
    in_memory = parsed.database in (None, "", ":memory:")
    if not in_memory and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {
        "connect_args": {
            "check_same_thread": False,
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
        }
    }
    if in_memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)
    _configure_sqlite(engine, in_memory=in_memory)
    return engine


def _configure_sqlite(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # A literal, as all SQL text in the broker is (SQLITE_BUSY_TIMEOUT_MS says the same).
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("broker_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """The broker's handle on its database: engine plus read and write sessions.

    Services open transactions through :meth:`read` and :meth:`write`; each write use case is one
    transaction, committed when the block exits without an exception.
    """

    def __init__(self, url: str, options: PoolOptions | None = None) -> None:
        url = normalize_url(url)
        self.url = url
        self.engine = make_engine(url, options)
        self.sqlite = is_sqlite(url)
        self._reads = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._writes = sessionmaker(
            bind=self.engine.execution_options(broker_write=True), expire_on_commit=False
        )
        # In one process, queue writers on a lock rather than on SQLite's busy handler: it is
        # fair and keeps the threadpool from spinning on a locked file.
        self._write_lock = threading.Lock() if self.sqlite else None

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work."""
        with self._reads() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write unit of work: committed on success, rolled back on any exception."""
        if self._write_lock is None:
            with self._writes() as session, session.begin():
                yield session
            return
        with self._write_lock, self._writes() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


@contextmanager
def postgres_advisory_lock(engine: Engine, key: int) -> Iterator[Connection]:
    """A connection holding PostgreSQL's session-level advisory lock ``key`` until the block
    ends (it outlives the transactions run on the connection meanwhile).

    Connection set-up like the SQLite pragmas above, not a query of the broker's tables, so it
    lives here rather than in the repository.
    """
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        connection.commit()
        try:
            yield connection
        finally:
            connection.rollback()
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()
