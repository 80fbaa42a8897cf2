"""Record the broker's answers to read requests over a seeded database, and compare recordings.

Optimising the broker's queries must not change a byte of what it answers. This tool asks a
live broker a fixed, data-derived set of read requests over an existing (seeded) database and
writes every answer down; run it before and after a change, over the same database, and compare::

    python -m bench --seed-only sqlite:////tmp/answers.sqlite --scale 1
    python -m bench.answers record --database-url sqlite:////tmp/answers.sqlite \\
        --out /tmp/answers-before.jsonl
    # ... change the broker ...
    python -m bench.answers record --database-url sqlite:////tmp/answers.sqlite \\
        --out /tmp/answers-after.jsonl
    python -m bench.answers compare /tmp/answers-before.jsonl /tmp/answers-after.jsonl

``record`` reads the database with SQLAlchemy (SELECTs only, on a connection set read-only) to
choose the requests, then starts a broker (:func:`bench.server.live_broker`) and sends it only
reads: GETs, and ``POST /pacts/provider/P/for-verification``, which changes nothing. The broker
migrates its database at every start, so with an optimisation that adds a migration it would
change the database the "before" side needs; for SQLite it therefore runs over a throwaway
copy of the database (``--in-place`` runs it over the original), and it refuses to run over a
database in place (PostgreSQL always is) that it would migrate unless ``--allow-migration``.
It writes one JSON line per request, sorted by kind and path::

    {"kind", "method", "path", "accept", "body", "status", "content_type", "response"}

``body`` is the request's JSON (or null), ``accept`` the ``Accept`` header sent
(``application/hal+json`` for the API, ``text/html`` for the pages) and ``response`` the
response's text. ``compare`` matches requests by method, path, ``Accept`` and body; it reports
a request whose status, content type or response differs, or that only one file has, and exits 1
if there is any.

What the requests cover. ``--limit-per-kind N`` (default 20; 0: no limit) caps the subjects of
each kind, evenly spread over the sorted names: core requests go to up to 5N providers,
integrations and pacticipants (at the default, all of the seeder's 34 providers, 88
integrations and 50 pacticipants: that does not grow with the scale), extended requests to N
of them, lists that grow with the history to N/4; the versions asked about are the newest
``main`` version of N pacticipants and N/4 each of older ``main`` versions, feature-branch
heads, and the versions currently and previously deployed to ``prod``. At scale 1 that is about
3,000 requests (a minute or so), at scale 4 the same number (about two minutes).

* ``for-verification``: per provider, the ``GET`` and the ``POST`` under single selectors
  (``mainBranch``, ``deployedOrReleased``, ``matchingBranch`` with ``providerVersionBranch``
  main, ``latest``, a consumer branch, ``branch: true``, ``tag`` main with ``latest``, an unknown
  tag with ``fallbackTag``, ``deployed``, ``released``, ``environment`` prod, consumer-specific
  ``mainBranch``), the default (empty) selectors, and the CI set ``mainBranch +
  deployedOrReleased + matchingBranch`` with ``includePendingStatus`` true and false, with and
  without ``includeWipPactsSince`` (60 days before the newest publication in the database,
  never "now"), for provider branches main, the provider's newest feature branch and one no
  verification came from; without a provider branch (``mainBranch + deployedOrReleased``) and
  with ``providerVersionTags``;
* ``can-i-deploy``, ``matrix``: per sampled version ``/can-i-deploy`` to ``prod`` and ``to`` a
  tag, the matrix with ``latestby=cvpv`` to ``prod`` (also ignoring a pacticipant),
  ``latestby=cvp`` with one selector and with two (the version, and a partner's latest), the
  can-i-deploy page; per pacticipant the branch head's matrix to ``prod`` and the can-i-deploy
  shortcut (extended: ``cvp``, tag to tag, can-i-merge); per integration
  ``/matrix/provider/P/consumer/C`` (extended: the whole-pacticipants matrix, ``limit=100``);
* ``pact``, ``verification``, ``diff``, ``pact-list``, ``provider-pacts``,
  ``provider-states``: per integration the latest pact, the newest pact by consumer version
  (whose links carry the previous-pact logic) and its previous distinct pact, the latest
  verification (extended: the stable URL, untagged, tagged and branch latest pacts, by SHA and
  metadata, diffs, verification results by number, branch pact lists; lists: every version);
  the pacts and previous distinct pacts of the sampled consumer versions; per provider its
  latest pact lists and provider states (extended: tagged, branch and paged lists);
* ``pacticipant``, ``version``, ``branch``, ``environment``, ``index``, ``badge``:
  pacticipants, their versions (``pageSize=50``), latest versions, branches, branch versions,
  versions by tag and environment, sampled version resources, ``/verification-results/
  consumer/C/version/V/latest``, environments with their deployed and released versions,
  ``/``, ``/integrations``, ``/pacticipants``, ``/pacts/latest``, ``/dashboard``, ``/metrics``
  (JSON), ``/labels``, ``/relationships``, ``/groups/X``, a few badges;
* ``html`` (``Accept: text/html``): the home page (also page 2 and a search), the network
  graph, environments, pacticipant, pact, diff, integration matrix and can-i-deploy pages.

What is normalised, and nothing else:

* the broker's base URL ``http://127.0.0.1:PORT`` is ``{base}`` (and its percent-encoded form
  ``{base-encoded}``): the port differs between runs;
* in HTML pages, the relative times the pages print ("3 days ago", "just now"; the template
  filter ``ago``) are ``{ago}``: they are computed from the clock at each request. The
  absolute times beside them (``title="2026-12-04 18:20 UTC"``) are kept.

JSON answers carry no clock-dependent value (their timestamps are the database's), so they are
kept byte for byte. One rule does read the clock and cannot be normalised: WIP pacts look back
30 days from *now* for a provider branch's verifications (``selection.pending``); two recordings
taken within minutes agree, a baseline recorded days earlier may not (record both sides in one
session).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.server import live_broker
from pact_pipeline.broker.db import normalize_url
from pact_pipeline.broker.migrate import alembic_config
from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    DeployedVersion,
    Environment,
    Pacticipant,
    PactPublication,
    PactVersion,
    ReleasedVersion,
    Verification,
    Version,
)

HAL = "application/hal+json"
HTML = "text/html"
BASE = "{base}"
BASE_ENCODED = "{base-encoded}"
AGO = "{ago}"
DEFAULT_LIMIT = 20
#: Core requests go to up to this many times the limit of providers, integrations and
#: pacticipants: at the default, to all of the seeder's 50 pacticipants and 88 integrations.
CORE_FACTOR = 5
DEFAULT_JOBS = 4
#: The environment can-i-deploy asks about (the seeder's production environment).
ENVIRONMENT = "prod"
#: The tag can-i-deploy's ``to`` names (no version carries it: the answer says so).
TO_TAG = "prod"
#: How far before the newest publication WIP pacts are included from.
WIP_WINDOW = timedelta(days=60)
#: A provider branch no verification came from: every pact is pending for it.
UNVERIFIED_BRANCH = "answers/unverified-branch"
#: A consumer tag no version carries: a ``fallbackTag`` selector falls back from it.
UNKNOWN_TAG = "answers/unknown-tag"
#: Lines of each difference ``compare`` prints.
DIFF_LINES = 40
REQUEST_TIMEOUT = 300.0

#: The relative times of ``ui.render.ago``.
_AGO = re.compile(r"\b(?:\d+ (?:day|hour|minute)s? ago|just now)")

T = TypeVar("T")


# --- requests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One read request.

    Attributes:
        kind: The family it belongs to, for sorting and counting.
        path: The path and query, percent-encoded.
        method: ``GET``, or ``POST`` for pacts for verification.
        accept: The ``Accept`` header.
        body: The JSON text of the request body, or ``None``.
    """

    kind: str
    path: str
    method: str = "GET"
    accept: str = HAL
    body: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What identifies the request across recordings (the kind is only a label)."""
        return (self.method, self.path, self.accept, self.body or "")

    @property
    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.kind, self.path, self.method, self.accept, self.body or "")

    def describe(self) -> str:
        text = f"[{self.kind}] {self.method} {self.path}"
        if self.accept != HAL:
            text += f" (Accept: {self.accept})"
        if self.body is not None:
            text += f" {self.body}"
        return text


def body_text(body: Any) -> str:
    """The JSON text a request body is sent as (and identified by)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def path(*segments: str, query: Sequence[tuple[str, str]] = ()) -> str:
    """A path of percent-encoded segments, with an optional query."""
    text = "/" + "/".join(quote(s, safe="") for s in segments)
    return f"{text}?{urlencode(query)}" if query else text


class Plan:
    """The requests of a recording, without duplicates."""

    def __init__(self) -> None:
        self._requests: dict[tuple[str, str, str, str], Request] = {}

    def add(self, request: Request) -> None:
        self._requests.setdefault(request.key, request)

    def get(self, kind: str, target: str, accept: str = HAL) -> None:
        self.add(Request(kind, target, accept=accept))

    def html(self, target: str) -> None:
        self.add(Request("html", target, accept=HTML))

    def post(self, kind: str, target: str, body: Any) -> None:
        self.add(Request(kind, target, method="POST", body=body_text(body)))

    def requests(self) -> list[Request]:
        return sorted(self._requests.values(), key=lambda r: r.sort_key)


def spread(items: Sequence[T], count: int) -> list[T]:
    """At most ``count`` of ``items``, evenly spaced (all of them when ``count`` is 0)."""
    if count <= 0 or len(items) <= count:
        return list(items)
    return [items[(i * len(items)) // count] for i in range(count)]


# --- what the database holds --------------------------------------------------------------------


@dataclass(frozen=True)
class Integration:
    """A consumer and provider with pacts, and the pacts the requests name.

    Attributes:
        consumer: The consumer's name.
        provider: The provider's name.
        version: The consumer version of the newest publication.
        sha: Its pact version's SHA.
        branch: The newest consumer branch (not the main one) with a pact, if any.
        branch_version: That branch's newest consumer version with a pact.
        branch_sha: Its pact version's SHA.
        verified_sha: The pact version of the integration's newest verification, if any.
        verification_number: That verification's number.
    """

    consumer: str
    provider: str
    version: str
    sha: str
    branch: str | None = None
    branch_version: str | None = None
    branch_sha: str | None = None
    verified_sha: str | None = None
    verification_number: int | None = None


@dataclass(frozen=True)
class Sample:
    """A pacticipant version the matrix and can-i-deploy are asked about.

    Attributes:
        kind: Why it was chosen: ``main-head``, ``main-older``, ``feature-head``,
            ``prod-deployed`` or ``prod-undeployed``.
        pacticipant: Its pacticipant.
        number: The version number.
        providers: The providers its pacts are with (as a consumer version).
    """

    kind: str
    pacticipant: str
    number: str
    providers: tuple[str, ...] = ()


@dataclass
class Facts:
    """What the requests are derived from; every list sorted."""

    pacticipants: list[str] = field(default_factory=list)
    main_branch: dict[str, str] = field(default_factory=dict)
    main_head: dict[str, str] = field(default_factory=dict)
    feature_branch: dict[str, str] = field(default_factory=dict)
    integrations: list[Integration] = field(default_factory=list)
    environments: list[tuple[str, str]] = field(default_factory=list)
    wip_since: str = ""
    samples: list[Sample] = field(default_factory=list)
    deployed_uuids: list[str] = field(default_factory=list)
    released_uuids: list[str] = field(default_factory=list)

    @property
    def providers(self) -> list[str]:
        return sorted({i.provider for i in self.integrations})

    def consumers_of(self, provider: str) -> list[str]:
        return sorted(i.consumer for i in self.integrations if i.provider == provider)

    def partner_of(self, pacticipant: str) -> str | None:
        """A pacticipant it has pacts with: its first provider, else its first consumer."""
        providers = sorted(i.provider for i in self.integrations if i.consumer == pacticipant)
        partners = providers or self.consumers_of(pacticipant)
        return partners[0] if partners else None

    def environment_uuid(self, name: str) -> str | None:
        return next((uuid for env, uuid in self.environments if env == name), None)


def read_only_engine(database_url: str) -> Engine:
    """An engine whose connections cannot write (SQLite ``query_only``, PostgreSQL read-only
    transactions); an SQLite file must exist (connecting would create it)."""
    url = normalize_url(database_url)
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and not (parsed.database and Path(parsed.database).is_file()):
        msg = f"no SQLite database at {parsed.database!r}: seed one first"
        raise FileNotFoundError(msg)
    engine = create_engine(url, poolclass=NullPool)
    statement = (
        "PRAGMA query_only = ON"
        if sqlite
        else "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"
    )

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(statement)
        cursor.close()

    return engine


def read_facts(database_url: str, limit: int) -> Facts:
    """Read what the requests are derived from, with SELECTs only."""
    engine = read_only_engine(database_url)
    try:
        with engine.connect() as connection:
            return _Reader(connection, limit).facts()
    finally:
        engine.dispose()


def schema_revision(database_url: str) -> str | None:
    """The migration the database is at (None: none recorded)."""
    engine = read_only_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def code_revision() -> str | None:
    """The newest migration of the broker's code: what it migrates a database to on start."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class MigrationNeeded(RuntimeError):
    """The broker would migrate the database itself (it migrates at every start)."""


@contextmanager
def broker_database(database_url: str, *, in_place: bool) -> Iterator[str]:
    """The database the broker runs over: for SQLite, unless ``in_place``, a throwaway copy
    (SQLite's online backup, read from the original on a read-only connection), so that not
    even the migration the broker runs at start can change the original."""
    parsed = make_url(normalize_url(database_url))
    if in_place or parsed.get_backend_name() != "sqlite" or not parsed.database:
        yield database_url
        return
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as folder:
        copy = Path(folder) / "broker.sqlite"
        # query_only rather than a read-only open: that one would leave -wal and -shm files.
        source = sqlite3.connect(parsed.database)
        try:
            source.execute("PRAGMA query_only = ON")
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        yield parsed.set(database=str(copy)).render_as_string(hide_password=False)


class _Reader:
    def __init__(self, connection: Connection, limit: int) -> None:
        self.c = connection
        self.limit = limit
        self.names: dict[int, str] = {}
        self.main_branch_by_id: dict[int, str] = {}

    def facts(self) -> Facts:
        facts = Facts()
        for pid, name, main in self.c.execute(
            select(Pacticipant.id, Pacticipant.name, Pacticipant.main_branch)
        ):
            self.names[pid] = name
            self.main_branch_by_id[pid] = main or "main"
        if not self.names:
            msg = "the database has no pacticipants: seed it first"
            raise ValueError(msg)
        facts.pacticipants = sorted(self.names.values())
        facts.main_branch = {self.names[p]: b for p, b in self.main_branch_by_id.items()}
        self._branches(facts)
        facts.integrations = self._integrations()
        facts.environments = sorted(
            (name, uuid)
            for name, uuid in self.c.execute(select(Environment.name, Environment.uuid))
        )
        newest = self.c.execute(select(func.max(PactPublication.created_at))).scalar_one()
        if newest is not None:
            facts.wip_since = (newest - WIP_WINDOW).strftime("%Y-%m-%dT%H:%M:%SZ")
        facts.samples = self._samples(facts)
        facts.deployed_uuids = self._uuids(DeployedVersion, DeployedVersion.undeployed_at)
        facts.released_uuids = self._uuids(ReleasedVersion, ReleasedVersion.support_ended_at)
        return facts

    def _branches(self, facts: Facts) -> None:
        """Each pacticipant's main branch head and newest other branch."""
        heads = (
            select(
                Branch.pacticipant_id,
                Branch.name,
                func.max(BranchVersion.id).label("head"),
            )
            .join(BranchVersion, BranchVersion.branch_id == Branch.id)
            .group_by(Branch.id, Branch.pacticipant_id, Branch.name)
        ).subquery()
        rows = self.c.execute(
            select(heads.c.pacticipant_id, heads.c.name, heads.c.head, Version.number)
            .join(BranchVersion, BranchVersion.id == heads.c.head)
            .join(Version, Version.id == BranchVersion.version_id)
        ).all()
        newest_feature: dict[int, tuple[int, str]] = {}
        for pid, branch, head, number in rows:
            if branch == self.main_branch_by_id[pid]:
                facts.main_head[self.names[pid]] = number
            elif head > newest_feature.get(pid, (-1, ""))[0]:
                newest_feature[pid] = (head, branch)
        facts.feature_branch = {self.names[p]: b for p, (_, b) in newest_feature.items()}

    def _integrations(self) -> list[Integration]:
        pub = PactPublication
        newest = {
            (c, p): i
            for c, p, i in self.c.execute(
                select(pub.consumer_id, pub.provider_id, func.max(pub.id)).group_by(
                    pub.consumer_id, pub.provider_id
                )
            )
        }
        on_feature = {
            (c, p): i
            for c, p, i in self.c.execute(
                select(pub.consumer_id, pub.provider_id, func.max(pub.id))
                .join(BranchVersion, BranchVersion.version_id == pub.consumer_version_id)
                .join(Branch, Branch.id == BranchVersion.branch_id)
                .join(Pacticipant, Pacticipant.id == pub.consumer_id)
                .where(Branch.name != func.coalesce(Pacticipant.main_branch, "main"))
                .group_by(pub.consumer_id, pub.provider_id)
            )
        }
        details = self._publications([*newest.values(), *on_feature.values()])
        verified = self._newest_verifications()
        integrations = []
        for (consumer_id, provider_id), pub_id in newest.items():
            number, sha, _ = details[pub_id]
            feature = on_feature.get((consumer_id, provider_id))
            branch_number, branch_sha, branch = (
                details[feature] if feature is not None else (None, None, None)
            )
            integrations.append(
                Integration(
                    consumer=self.names[consumer_id],
                    provider=self.names[provider_id],
                    version=number,
                    sha=sha,
                    branch=branch,
                    branch_version=branch_number,
                    branch_sha=branch_sha,
                    **verified.get((consumer_id, provider_id), {}),
                )
            )
        return sorted(integrations, key=lambda i: (i.provider, i.consumer))

    def _newest_verifications(self) -> dict[tuple[int, int], dict[str, Any]]:
        """Each integration's newest verification: its pact version SHA and number."""
        newest = select(func.max(Verification.id)).group_by(
            Verification.consumer_id, Verification.provider_id
        )
        rows = self.c.execute(
            select(Verification.consumer_id, Verification.provider_id, PactVersion.sha)
            .add_columns(Verification.number)
            .join(PactVersion, PactVersion.id == Verification.pact_version_id)
            .where(Verification.id.in_(newest))
        )
        return {
            (c, p): {"verified_sha": sha, "verification_number": number}
            for c, p, sha, number in rows
        }

    def _publications(self, ids: Iterable[int]) -> dict[int, tuple[str, str, str | None]]:
        """Consumer version number, SHA and (a non-main) branch of publications."""
        pub = PactPublication
        found: dict[int, tuple[str, str, str | None]] = {}
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self.c.execute(
                select(pub.id, Version.number, PactVersion.sha, Branch.name, pub.consumer_id)
                .join(Version, Version.id == pub.consumer_version_id)
                .join(PactVersion, PactVersion.id == pub.pact_version_id)
                .outerjoin(BranchVersion, BranchVersion.version_id == pub.consumer_version_id)
                .outerjoin(Branch, Branch.id == BranchVersion.branch_id)
                .where(pub.id.in_(chunk))
                .order_by(pub.id, Branch.name)
            )
            for pub_id, number, sha, branch, consumer_id in rows:
                on_main = branch is None or branch == self.main_branch_by_id[consumer_id]
                previous = found.get(pub_id)
                if previous is None or (previous[2] is None and not on_main):
                    found[pub_id] = (number, sha, None if on_main else branch)
        return found

    def _samples(self, facts: Facts) -> list[Sample]:
        """Versions to ask the matrix about: newest main versions and some older ones."""
        older = max(1, self.limit // 4) if self.limit else 0
        chosen: list[tuple[str, int, str]] = []  # (kind, pacticipant id, number)
        ids = {name: pid for pid, name in self.names.items()}
        for name in spread([n for n in facts.pacticipants if n in facts.main_head], self.limit):
            chosen.append(("main-head", ids[name], facts.main_head[name]))
        for name in spread(facts.pacticipants, older):
            number = self._older_main_version(ids[name])
            if number is not None:
                chosen.append(("main-older", ids[name], number))
        for name in spread([n for n in facts.pacticipants if n in facts.feature_branch], older):
            number = self._branch_head(ids[name], facts.feature_branch[name])
            if number is not None:
                chosen.append(("feature-head", ids[name], number))
        prod = facts.environment_uuid(ENVIRONMENT)
        if prod is not None:
            for kind, current in (("prod-deployed", True), ("prod-undeployed", False)):
                deployed = self._deployed(prod, current=current)
                for name in spread(sorted(n for n in deployed), older):
                    chosen.append((kind, ids[name], deployed[name]))
        providers = self._providers_of_versions([(pid, number) for _, pid, number in chosen])
        return [
            Sample(kind, self.names[pid], number, providers.get((pid, number), ()))
            for kind, pid, number in chosen
        ]

    def _older_main_version(self, pacticipant_id: int) -> str | None:
        """The main version halfway through the pacticipant's main history."""
        main = self.main_branch_by_id[pacticipant_id]
        on_main = (
            select(Version.number)
            .join(BranchVersion, BranchVersion.version_id == Version.id)
            .join(Branch, Branch.id == BranchVersion.branch_id)
            .where(Branch.pacticipant_id == pacticipant_id, Branch.name == main)
        )
        count = self.c.execute(select(func.count()).select_from(on_main.subquery())).scalar_one()
        if count < 2:
            return None
        number: str = self.c.execute(
            on_main.order_by(BranchVersion.id).offset(count // 2).limit(1)
        ).scalar_one()
        return number

    def _branch_head(self, pacticipant_id: int, branch: str) -> str | None:
        number: str | None = self.c.execute(
            select(Version.number)
            .join(BranchVersion, BranchVersion.version_id == Version.id)
            .join(Branch, Branch.id == BranchVersion.branch_id)
            .where(Branch.pacticipant_id == pacticipant_id, Branch.name == branch)
            .order_by(BranchVersion.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        return number

    def _deployed(self, environment_uuid: str, *, current: bool) -> dict[str, str]:
        """Per pacticipant, the version most recently deployed to the environment that is
        (or is no longer) deployed there."""
        ended = DeployedVersion.undeployed_at
        newest = (
            select(func.max(DeployedVersion.id))
            .join(Environment, Environment.id == DeployedVersion.environment_id)
            .where(
                Environment.uuid == environment_uuid,
                ended.is_(None) if current else ended.is_not(None),
            )
            .group_by(DeployedVersion.pacticipant_id)
        )
        rows = self.c.execute(
            select(DeployedVersion.pacticipant_id, Version.number)
            .join(Version, Version.id == DeployedVersion.version_id)
            .where(DeployedVersion.id.in_(newest))
        )
        return {self.names[pid]: number for pid, number in rows}

    def _providers_of_versions(
        self, versions: Sequence[tuple[int, str]]
    ) -> dict[tuple[int, str], tuple[str, ...]]:
        found: dict[tuple[int, str], set[str]] = {}
        for pid, number in sorted(set(versions)):
            rows = self.c.execute(
                select(PactPublication.provider_id)
                .join(Version, Version.id == PactPublication.consumer_version_id)
                .where(Version.pacticipant_id == pid, Version.number == number)
                .distinct()
            )
            found[(pid, number)] = {self.names[p] for (p,) in rows}
        return {k: tuple(sorted(v)) for k, v in found.items()}

    def _uuids(self, model: type[DeployedVersion | ReleasedVersion], ended: Any) -> list[str]:
        """A spread of the currently deployed (or supported) versions' uuids, oldest first."""
        rows = self.c.execute(select(model.uuid).where(ended.is_(None)).order_by(model.id))
        return spread([uuid for (uuid,) in rows], self.limit)


# --- the requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """How many subjects each kind of request is asked about, all evenly spread: the core
    requests go to up to ``CORE_FACTOR * limit`` providers, integrations and pacticipants (all
    of them in the seeder's shape at the default limit), the extended ones to ``limit`` of
    those, and the lists that grow with the history to a quarter of that; 0 is no limit."""

    limit: int

    def core(self, items: Sequence[T]) -> list[T]:
        return spread(items, CORE_FACTOR * self.limit)

    def extended(self, items: Sequence[T]) -> list[T]:
        return spread(items, self.limit)

    def lists(self, items: Sequence[T]) -> list[T]:
        return spread(items, max(1, self.limit // 4) if self.limit else 0)

    def few(self, items: Sequence[T]) -> list[T]:
        return spread(items, max(1, self.limit // 10) if self.limit else 0)


def plan_requests(facts: Facts, limit: int) -> list[Request]:
    """Every request of a recording, sorted."""
    plan = Plan()
    scope = Scope(limit)
    _index_requests(plan, facts, scope)
    providers = scope.core(facts.providers)
    extended = set(scope.extended(providers))
    for provider in providers:
        _for_verification_requests(plan, facts, provider, scope)
        _provider_pact_requests(plan, facts, provider, extended=provider in extended)
    integrations = scope.core(facts.integrations)
    extended_i = set(scope.extended(integrations))
    lists_i = set(scope.lists(integrations))
    for integration in integrations:
        _integration_requests(
            plan, integration, extended=integration in extended_i, lists=integration in lists_i
        )
    pacticipants = scope.core(facts.pacticipants)
    extended_p = set(scope.extended(pacticipants))
    lists_p = set(scope.lists(pacticipants))
    for name in pacticipants:
        _pacticipant_requests(plan, facts, name, extended=name in extended_p, lists=name in lists_p)
    for sample in facts.samples:
        _sample_requests(plan, facts, sample)
    return plan.requests()


def _index_requests(plan: Plan, facts: Facts, scope: Scope) -> None:
    plan.get("index", "/")
    plan.get("index", "/integrations")
    plan.get("index", path("integrations", query=[("size", "20"), ("page", "2")]))
    plan.get("index", path("integrations", query=[("q", "core")]))
    plan.get("index", "/pacticipants")
    plan.get("index", path("pacticipants", query=[("size", "10"), ("page", "2")]))
    plan.get("index", path("pacticipants", query=[("q", "service")]))
    plan.get("index", "/pacts/latest")
    plan.get("index", "/dashboard")
    plan.get("index", path("dashboard", query=[("page", "2"), ("size", "10")]))
    plan.get("index", "/metrics")
    plan.get("index", "/labels")
    plan.get("index", "/relationships")
    plan.get("environment", "/environments")
    for name, uuid in facts.environments:
        plan.get("environment", path("environments", query=[("name", name)]))
        plan.get("environment", path("environments", uuid))
        deployed = path("environments", uuid, "deployed-versions", "currently-deployed")
        supported = path("environments", uuid, "released-versions", "currently-supported")
        plan.get("environment", deployed)
        plan.get("environment", supported)
        for pacticipant in scope.lists(facts.pacticipants):
            query = "?" + urlencode([("pacticipant", pacticipant)])
            plan.get("environment", deployed + query)
            plan.get("environment", supported + query)
        plan.html(path("environments", uuid))
    for uuid in facts.deployed_uuids:
        plan.get("environment", path("deployed-versions", uuid))
    for uuid in facts.released_uuids:
        plan.get("environment", path("released-versions", uuid))
    plan.html("/")
    plan.html("/?" + urlencode([("page", "2")]))
    plan.html("/?" + urlencode([("q", "web")]))
    plan.html("/graph")
    plan.html("/environments")


def _selector_bodies(facts: Facts, provider: str, scope: Scope) -> list[dict[str, Any]]:
    """The pacts-for-verification request bodies asked for one provider."""
    consumer_branch = next(
        (i.branch for i in facts.integrations if i.provider == provider and i.branch), None
    )
    single: list[dict[str, Any]] = [
        {"mainBranch": True},
        {"deployedOrReleased": True},
        {"latest": True},
        {"branch": True, "latest": True},
        {"tag": "main", "latest": True},
        {"deployed": True},
        {"released": True},
        {"environment": ENVIRONMENT},
        {"tag": UNKNOWN_TAG, "fallbackTag": "main", "latest": True},
    ]
    if consumer_branch:
        single.append({"branch": consumer_branch})
    single += [{"consumer": c, "mainBranch": True} for c in scope.few(facts.consumers_of(provider))]
    bodies: list[dict[str, Any]] = [
        {"consumerVersionSelectors": [s], "includePendingStatus": False} for s in single
    ]
    ci = [{"mainBranch": True}, {"deployedOrReleased": True}, {"matchingBranch": True}]
    two = ci[:2]
    wip = {"includeWipPactsSince": facts.wip_since} if facts.wip_since else {}
    main = {"providerVersionBranch": "main"}
    tags = {"providerVersionTags": ["main"]}
    bodies += [
        {"consumerVersionSelectors": [{"matchingBranch": True}], "includePendingStatus": False}
        | main,
        {"consumerVersionSelectors": [], "includePendingStatus": False},
    ]
    for pending in (True, False):
        bodies += [
            {"consumerVersionSelectors": ci, "includePendingStatus": pending} | main,
            {"consumerVersionSelectors": ci, "includePendingStatus": pending} | main | wip,
        ]
    bodies += [
        {"consumerVersionSelectors": ci, "includePendingStatus": True}
        | {"providerVersionBranch": branch}
        | wip
        for branch in (facts.feature_branch.get(provider), UNVERIFIED_BRANCH)
        if branch
    ]
    bodies += [
        {"consumerVersionSelectors": two, "includePendingStatus": True} | wip,
        {"consumerVersionSelectors": two, "includePendingStatus": True} | tags | wip,
    ]
    return bodies


def _for_verification_requests(plan: Plan, facts: Facts, provider: str, scope: Scope) -> None:
    target = path("pacts", "provider", provider, "for-verification")
    plan.get("for-verification", target)
    for body in _selector_bodies(facts, provider, scope):
        plan.post("for-verification", target, body)


def _provider_pact_requests(plan: Plan, facts: Facts, provider: str, *, extended: bool) -> None:
    kind = "provider-pacts"
    pacts = ("pacts", "provider", provider)
    page = [("size", "50")]
    plan.get(kind, path(*pacts, "latest"))
    plan.get(kind, path(*pacts, "branch", "main", "latest"))
    plan.get("provider-states", path(*pacts, "provider-states"))
    if not extended:
        return
    plan.get(kind, path(*pacts, "latest", "main"))
    plan.get(kind, path(*pacts, "branch", "latest"))
    plan.get(kind, path(*pacts, query=page))
    plan.get(kind, path(*pacts, "tag", "main", query=page))
    plan.get(kind, path(*pacts, "branch", query=page))
    plan.get(kind, path(*pacts, "branch", "main", query=page))
    branch = next(
        (i.branch for i in facts.integrations if i.provider == provider and i.branch), None
    )
    if branch:
        plan.get(kind, path(*pacts, "branch", branch, "latest"))
        plan.get(kind, path(*pacts, "branch", branch, query=page))
    plan.get("provider-states", path(*pacts, "provider-states", "branch", "main"))
    prod = facts.environment_uuid(ENVIRONMENT)
    if prod is not None:
        plan.get("provider-states", path(*pacts, "provider-states", "environment", prod))


def _integration_requests(
    plan: Plan, integration: Integration, *, extended: bool, lists: bool
) -> None:
    i = integration
    pacts = ("pacts", "provider", i.provider, "consumer", i.consumer)
    version = (*pacts, "version", i.version)
    plan.get("pact", path(*pacts, "latest"))
    plan.get("pact", path(*version))
    plan.get("pact", path(*version, "previous-distinct"))
    plan.get("verification", path(*pacts, "latest", "verification-results", "latest"))
    plan.get("matrix", path("matrix", "provider", i.provider, "consumer", i.consumer))
    if extended:
        _extended_integration_requests(plan, i)
    if lists:
        plan.get("badge", path(*pacts, "latest", "badge.svg"))
        badge = ("matrix", "provider", i.provider, "latest", "main", "consumer", i.consumer)
        plan.get("badge", path(*badge, "latest", "main", "badge.svg"))
        plan.get("pact-list", path(*pacts, "versions"))
        plan.get("pact-list", path(*pacts, "branch", "versions"))
        if i.branch:
            plan.get("pact-list", path(*pacts, "branch", i.branch))


def _extended_integration_requests(plan: Plan, i: Integration) -> None:
    pacts = ("pacts", "provider", i.provider, "consumer", i.consumer)
    version = (*pacts, "version", i.version)
    sha = (*pacts, "pact-version", i.sha)
    plan.get("pact", path(*pacts))
    plan.get("pact", path(*sha))
    plan.get("pact", path(*pacts, "latest-untagged"))
    plan.get("pact", path(*pacts, "latest", "main"))
    plan.get("pact", path(*pacts, "branch", "main", "latest"))
    plan.get("pact", path(*sha, "metadata", "eyJwIjp0cnVlfQ"))  # {"p":true}
    plan.get("diff", path(*version, "diff", "previous-distinct"))
    if i.branch and i.branch_version and i.branch_sha:
        plan.get("pact", path(*pacts, "branch", i.branch, "latest"))
        plan.get("pact", path(*pacts, "version", i.branch_version))
        plan.get("pact-list", path(*pacts, "branch", i.branch, "latest", "versions"))
        plan.get("diff", path(*version, "diff", "version", i.branch_version))
        plan.get("diff", path(*sha, "diff", "pact-version", i.branch_sha))
    plan.get("verification", path(*pacts, "latest", "main", "verification-results", "latest"))
    plan.get("verification", path(*version, "verification-results", "latest"))
    plan.get("verification", path(*sha, "verification-results", "latest"))
    if i.verified_sha and i.verification_number is not None:
        verified = (*pacts, "pact-version", i.verified_sha, "verification-results")
        plan.get("verification", path(*verified, str(i.verification_number)))
        plan.get("verification", path(*verified, "latest"))
    plan.get("pact-list", path(*pacts, "branch", "latest", "versions"))
    plan.get("pact-list", path(*pacts, "branch", "main", "latest", "versions"))
    plan.get("pact-list", path(*pacts, "tag", "main"))
    whole = [("q[][pacticipant]", i.consumer), ("q[][pacticipant]", i.provider), ("limit", "100")]
    plan.get("matrix", path("matrix", query=whole))
    plan.get("index", path("dashboard", "provider", i.provider, "consumer", i.consumer))
    plan.html(path("matrix", "provider", i.provider, "consumer", i.consumer))
    plan.html(path(*pacts, "latest"))
    plan.html(path(*version, "diff", "previous-distinct"))


def _pacticipant_requests(
    plan: Plan, facts: Facts, name: str, *, extended: bool, lists: bool
) -> None:
    main = facts.main_branch.get(name, "main")
    feature = facts.feature_branch.get(name)
    me = ("pacticipants", name)
    to_prod = ("can-i-deploy", "to-environment", ENVIRONMENT)
    branch_latest = [("q[][pacticipant]", name), ("q[][branch]", main), ("q[][latest]", "true")]
    plan.get("pacticipant", path(*me))
    plan.get("version", path(*me, "versions", query=[("pageSize", "50")]))
    plan.get("can-i-deploy", path(*me, "branches", main, "latest-version", *to_prod))
    plan.get(
        "matrix",
        path("matrix", query=[*branch_latest, ("latestby", "cvpv"), ("environment", ENVIRONMENT)]),
    )
    if not extended:
        return
    plan.get("version", path(*me, "latest-version"))
    plan.get("version", path(*me, "latest-version", "main"))
    plan.get("branch", path(*me, "branches"))
    plan.get("branch", path(*me, "branches", main))
    plan.get("branch", path(*me, "branches", main, "latest-version"))
    head = facts.main_head.get(name)
    if head:
        plan.get("branch", path(*me, "branches", main, "versions", head))
    if feature:
        plan.get("branch", path(*me, "branches", feature))
        plan.get("branch", path(*me, "branches", feature, "latest-version"))
        plan.get("branch", path(*me, "branches", feature, "versions"))
        merge = [("q[][pacticipant]", name), ("q[][branch]", feature), ("q[][latest]", "true")]
        plan.get(
            "matrix", path("matrix", query=[*merge, ("latestby", "cvpv"), ("mainBranch", "true")])
        )
    for _, uuid in facts.environments:
        plan.get("version", path(*me, "environments", uuid, "versions"))
    plan.get("can-i-deploy", path(*me, "latest-version", "main", "can-i-deploy", "to", TO_TAG))
    plan.get(
        "matrix", path("matrix", query=[*branch_latest, ("latestby", "cvp"), ("latest", "true")])
    )
    tagged = [("q[][pacticipant]", name), ("q[][latest]", "true"), ("q[][tag]", "main")]
    plan.get("matrix", path("matrix", query=[*tagged, ("latestby", "cvp"), ("tag", TO_TAG)]))
    plan.get("index", path("groups", name))
    plan.html(path(*me))
    if lists:
        plan.get("badge", path(*me, "branches", main, "latest-version", *to_prod, "badge.svg"))
        plan.get("version", path(*me, "tags", "main", "versions"))
        plan.get("branch", path(*me, "branches", main, "versions"))


def _sample_requests(plan: Plan, facts: Facts, sample: Sample) -> None:
    name, number = sample.pacticipant, sample.number
    me = ("pacticipants", name)
    env = [("environment", ENVIRONMENT)]
    selector = [("q[][pacticipant]", name), ("q[][version]", number)]
    deploy = [("pacticipant", name), ("version", number)]
    plan.get("can-i-deploy", path("can-i-deploy", query=[*deploy, *env]))
    plan.get("can-i-deploy", path("can-i-deploy", query=[*deploy, ("to", TO_TAG)]))
    plan.get("matrix", path("matrix", query=[*selector, ("latestby", "cvpv"), *env]))
    plan.get("matrix", path("matrix", query=[*selector, ("latestby", "cvp"), ("latest", "true")]))
    partner = facts.partner_of(name)
    if partner is not None:
        two = [*selector, ("q[][pacticipant]", partner), ("q[][latest]", "true")]
        plan.get("matrix", path("matrix", query=[*two, ("latestby", "cvp")]))
        if sample.kind == "main-head":
            ignoring = [("ignore[][pacticipant]", partner)]
            plan.get(
                "matrix", path("matrix", query=[*selector, ("latestby", "cvpv"), *env, *ignoring])
            )
    plan.get("version", path(*me, "versions", number))
    plan.get(
        "verification", path("verification-results", "consumer", name, "version", number, "latest")
    )
    for provider in sample.providers:
        version = ("pacts", "provider", provider, "consumer", name, "version", number)
        plan.get("pact", path(*version))
        plan.get("pact", path(*version, "previous-distinct"))
    prod = facts.environment_uuid(ENVIRONMENT)
    if sample.kind == "main-head" and prod is not None:
        for placed in ("deployed-versions", "released-versions"):
            plan.get("environment", path(*me, "versions", number, placed, "environment", prod))
    if sample.kind in ("main-head", "prod-deployed"):
        plan.html(path("can-i-deploy", query=[*deploy, *env]))


# --- recording ----------------------------------------------------------------------------------


def normalise(text: str, base: str, content_type: str) -> str:
    """The response text with what differs between runs replaced (see the module docstring)."""
    text = text.replace(base, BASE).replace(quote(base, safe=""), BASE_ENCODED)
    if content_type.startswith(HTML):
        text = _AGO.sub(AGO, text)
    return text


def ask(client: httpx.Client, base: str, request: Request) -> tuple[dict[str, Any], float]:
    """Send one request; its record line, and the seconds it took."""
    started = time.perf_counter()
    headers = {"Accept": request.accept}
    if request.body is not None:
        headers["Content-Type"] = "application/json"
    response = client.request(
        request.method,
        request.path,
        content=request.body.encode("utf-8") if request.body is not None else None,
        headers=headers,
    )
    seconds = time.perf_counter() - started
    content_type = response.headers.get("content-type", "")
    text = response.content.decode("utf-8", errors="backslashreplace")
    line = {
        "kind": request.kind,
        "method": request.method,
        "path": request.path,
        "accept": request.accept,
        "body": json.loads(request.body) if request.body is not None else None,
        "status": response.status_code,
        "content_type": content_type,
        "response": normalise(text, base, content_type),
    }
    return line, seconds


def record_answers(
    base: str, requests: Sequence[Request], jobs: int
) -> list[tuple[dict[str, Any], float]]:
    """Ask a running broker every request (``jobs`` at a time); the lines and the seconds
    each took, in request order."""
    limits = httpx.Limits(max_connections=jobs, max_keepalive_connections=jobs)
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT, limits=limits) as client:
        if jobs <= 1:
            return [ask(client, base, r) for r in requests]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(lambda r: ask(client, base, r), requests))


def write_lines(lines: Iterable[dict[str, Any]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")


@dataclass(frozen=True)
class Recording:
    """What ``record`` did: the requests, the seconds it took, and by kind the statuses and
    the seconds the broker took to answer."""

    requests: int
    seconds: float
    statuses: dict[str, Counter[int]]
    answer_seconds: dict[str, float]
    note: str | None = None


def record(
    database_url: str,
    out: Path,
    limit: int = DEFAULT_LIMIT,
    jobs: int = DEFAULT_JOBS,
    *,
    in_place: bool = False,
    allow_migration: bool = False,
) -> Recording:
    """Record a live broker's answers over ``database_url`` into ``out``.

    Args:
        database_url: An existing, seeded database.
        out: The JSON lines file to write.
        limit: Subjects per kind (see the module docstring); 0: no limit.
        jobs: Requests in flight at once.
        in_place: Run the broker over an SQLite database itself rather than over a copy
            (PostgreSQL databases always are).
        allow_migration: Let the broker migrate a database it runs over in place when its
            code has a newer migration (otherwise :class:`MigrationNeeded`).
    """
    started = time.perf_counter()
    facts = read_facts(database_url, limit)
    requests = plan_requests(facts, limit)
    revision, head = schema_revision(database_url), code_revision()
    with broker_database(database_url, in_place=in_place) as broker_url:
        copied = broker_url != database_url
        if revision != head and not copied and not allow_migration:
            msg = (
                f"the database is at migration {revision}, the broker's code at {head}: the "
                "broker would migrate it on start (pass --allow-migration to let it, or record "
                "over a copy)"
            )
            raise MigrationNeeded(msg)
        with live_broker(broker_url) as base:
            answers = record_answers(base, requests, jobs)
    write_lines((line for line, _ in answers), out)
    statuses: dict[str, Counter[int]] = {}
    answer_seconds: dict[str, float] = {}
    for line, seconds in answers:
        statuses.setdefault(line["kind"], Counter())[line["status"]] += 1
        answer_seconds[line["kind"]] = answer_seconds.get(line["kind"], 0.0) + seconds
    note = None
    if revision != head:
        where = "a copy of the database" if copied else "the database"
        note = f"the broker migrated {where} from {revision} to {head} on start"
    return Recording(len(answers), time.perf_counter() - started, statuses, answer_seconds, note)


# --- comparing ----------------------------------------------------------------------------------


Key = tuple[str, str, str, str]


def read_lines(source: Path) -> dict[Key, dict[str, Any]]:
    """A recording's lines by request."""
    lines: dict[Key, dict[str, Any]] = {}
    with source.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except ValueError as exc:
                msg = f"{source}:{number}: not JSON: {exc}"
                raise ValueError(msg) from exc
            lines[line_key(line)] = line
    return lines


def line_key(line: dict[str, Any]) -> Key:
    body = line.get("body")
    return (
        line["method"],
        line["path"],
        line.get("accept", HAL),
        "" if body is None else body_text(body),
    )


def describe_line(line: dict[str, Any]) -> str:
    body = line.get("body")
    return Request(
        kind=line.get("kind", "?"),
        path=line["path"],
        method=line["method"],
        accept=line.get("accept", HAL),
        body=None if body is None else body_text(body),
    ).describe()


def pretty(text: str) -> list[str]:
    """The response as lines to diff: indented JSON (keys in their order) when it is JSON."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False).splitlines()
    except ValueError:
        return text.splitlines() or [text]


def difference(a: dict[str, Any], b: dict[str, Any], names: tuple[str, str]) -> list[str]:
    """How two answers to one request differ, in at most :data:`DIFF_LINES` lines; empty if
    they do not."""
    lines: list[str] = []
    for field_name in ("status", "content_type"):
        if a.get(field_name) != b.get(field_name):
            lines.append(f"  {field_name}: {a.get(field_name)!r} -> {b.get(field_name)!r}")
    if a["response"] != b["response"]:
        before, after = pretty(a["response"]), pretty(b["response"])
        if before == after:  # the same JSON, other bytes (spacing, escapes)
            before, after = a["response"].splitlines(), b["response"].splitlines()
        diff = list(difflib.unified_diff(before, after, names[0], names[1], n=2, lineterm=""))
        shown = diff[:DIFF_LINES]
        lines += ["  " + line for line in shown]
        if len(diff) > len(shown):
            lines.append(f"  ... {len(diff) - len(shown)} more diff lines")
        if not diff:
            lines.append("  (responses differ in bytes only)")
    return lines


def compare(first: Path, second: Path, out: Callable[[str], None] = print) -> int:
    """Compare two recordings; 0 if every request was answered identically, else 1."""
    a, b = read_lines(first), read_lines(second)
    names = (str(first), str(second))
    differing = 0
    only_a = [k for k in a if k not in b]
    only_b = [k for k in b if k not in a]
    for key in sorted(k for k in a if k in b):
        lines = difference(a[key], b[key], names)
        if lines:
            differing += 1
            out(f"DIFFERS {describe_line(a[key])}")
            for line in lines:
                out(line)
    for key in sorted(only_a):
        out(f"ONLY IN {first}: {describe_line(a[key])}")
    for key in sorted(only_b):
        out(f"ONLY IN {second}: {describe_line(b[key])}")
    common = len([k for k in a if k in b])
    out(
        f"{common} requests in both: {common - differing} identical, {differing} differ; "
        f"{len(only_a)} only in {first}, {len(only_b)} only in {second}"
    )
    return 1 if differing or only_a or only_b else 0


# --- command line -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.answers",
        description="Record a broker's answers to read requests over a seeded database, "
        "or compare two recordings.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record", help="record the answers of a live broker")
    rec.add_argument("--database-url", required=True, help="an existing, seeded database")
    rec.add_argument("--out", type=Path, required=True, help="the JSON lines file to write")
    rec.add_argument(
        "--limit-per-kind",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"sampled subjects per kind (default {DEFAULT_LIMIT}; 0: no limit)",
    )
    rec.add_argument(
        "--jobs",
        type=int,
        default=DEFAULT_JOBS,
        help=f"requests in flight at once (default {DEFAULT_JOBS})",
    )
    rec.add_argument(
        "--in-place",
        action="store_true",
        help="run the broker over an SQLite database itself, not over a throwaway copy",
    )
    rec.add_argument(
        "--allow-migration",
        action="store_true",
        help="let the broker migrate a database it runs over in place (it migrates at start)",
    )
    cmp = commands.add_parser("compare", help="compare two recordings")
    cmp.add_argument("first", type=Path)
    cmp.add_argument("second", type=Path)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "compare":
        return compare(args.first, args.second)
    if args.limit_per_kind < 0 or args.jobs < 1:
        print("error: --limit-per-kind must be >= 0 and --jobs >= 1", file=sys.stderr)
        return 2
    try:
        done = record(
            args.database_url,
            args.out,
            args.limit_per_kind,
            args.jobs,
            in_place=args.in_place,
            allow_migration=args.allow_migration,
        )
    except (FileNotFoundError, ValueError, MigrationNeeded) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"  {'kind':<18} {'requests':>8} {'seconds':>8}  statuses")
    for kind, statuses in sorted(done.statuses.items()):
        counts = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
        seconds = done.answer_seconds[kind]
        print(f"  {kind:<18} {sum(statuses.values()):>8} {seconds:>8.1f}  {counts}")
    if done.note:
        print(f"note: {done.note}")
    print(f"recorded {done.requests} requests in {done.seconds:.1f} s to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
