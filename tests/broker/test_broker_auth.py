"""Authentication as the OSS broker and PactFlow offer it.

Every write route of the app is tried with every kind of credential: read/write credentials
pass, read-only ones get 403 on every write, missing or wrong ones get 401 with a challenge, and
the heartbeat stays open. These decision tables (about a thousand requests each) call the app
in-process; live servers check the rest: the heartbeat and pacts for verification over a real
socket, an open broker, and — a real ``python -m pact_pipeline.broker serve`` configured from
the environment — that secrets never reach the server's log.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from pydantic import SecretStr

from pact_pipeline.broker.app import create_app
from pact_pipeline.broker.middleware import Authenticator
from pact_pipeline.broker.settings import Settings
from tests.broker.broker_support import (
    BrokerFactory,
    InProcessFactory,
    LiveBroker,
    start_broker_process,
)

WRITER = ("writer", "w-secret:with colon Ω")
READER = ("reader", "r-secret-9f2c")
WRITE_TOKEN = "tok-write-7c1d0b5e"
READ_TOKEN = "tok-read-4a8e2f61"

ALL_CREDENTIALS: dict[str, Any] = {
    "basic_auth_username": WRITER[0],
    "basic_auth_password": WRITER[1],
    "basic_auth_read_only_username": READER[0],
    "basic_auth_read_only_password": READER[1],
    "auth_token": WRITE_TOKEN,
    "read_only_auth_token": READ_TOKEN,
}
BASIC_ONLY = {k: v for k, v in ALL_CREDENTIALS.items() if k.startswith("basic")}
TOKENS_ONLY = {k: v for k, v in ALL_CREDENTIALS.items() if "token" in k}


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


# name -> (Authorization header or None, role it should get under ALL_CREDENTIALS)
CREDENTIALS: dict[str, tuple[str | None, str | None]] = {
    "none": (None, None),
    "basic-writer": (basic(*WRITER), "write"),
    "basic-reader": (basic(*READER), "read"),
    "bearer-writer": (f"Bearer {WRITE_TOKEN}", "write"),
    "bearer-reader": (f"Bearer {READ_TOKEN}", "read"),
    "lowercase-schemes": (f"bearer {WRITE_TOKEN}", "write"),
    "uppercase-basic": ("BASIC " + basic(*READER).split(" ", 1)[1], "read"),
    "wrong-password": (basic(WRITER[0], "nope"), None),
    "wrong-username": (basic("nobody", WRITER[1]), None),
    "writer-password-reader-name": (basic(READER[0], WRITER[1]), None),
    "password-prefix": (basic(WRITER[0], WRITER[1][:-1]), None),
    "password-longer": (basic(WRITER[0], WRITER[1] + "x"), None),
    "empty-password": (basic(WRITER[0], ""), None),
    "token-as-basic": ("Basic " + base64.b64encode(WRITE_TOKEN.encode()).decode(), None),
    "basic-as-bearer": ("Bearer " + basic(*WRITER).split(" ", 1)[1], None),
    "token-prefix": (f"Bearer {WRITE_TOKEN[:-1]}", None),
    "token-in-other-scheme": (f"Token {WRITE_TOKEN}", None),
    "bearer-only": ("Bearer", None),
    "scheme-only": ("Basic", None),
    "not-base64": ("Basic !!!not-base64!!!", None),
    "base64-no-colon": ("Basic " + base64.b64encode(b"writer").decode(), None),
    "base64-binary": ("Basic " + base64.b64encode(b"\xff\xfe:\x00").decode(), None),
    "other-scheme": ("Negotiate YIIB", None),
}


@dataclass(frozen=True)
class Target:
    method: str
    path: str
    access: str  # "read" or "write"


def write_targets() -> list[Target]:
    """One request per write operation of the app, path parameters filled with placeholders."""
    app = create_app(Settings(database_url="sqlite://"), webhooks_enabled=False)
    targets = []
    for template, operations in app.openapi()["paths"].items():
        path = re.sub(r"\{[^}]+\}", "x", template.replace("{number}", "1"))
        for method in sorted(m.upper() for m in operations):
            if method in ("GET", "HEAD", "OPTIONS"):
                continue
            access = "read" if path.endswith("/for-verification") else "write"
            targets.append(Target(method, path, access))
    return targets


WRITES = write_targets()
READS = [
    Target("GET", "/", "read"),
    Target("GET", "/pacticipants", "read"),
    Target("GET", "/matrix?q[][pacticipant]=x", "read"),
    Target("HEAD", "/pacticipants", "read"),
    Target("GET", "/no/such/resource", "read"),
]
HEARTBEAT = Target("GET", "/diagnostic/status/heartbeat", "public")


class Answer(Protocol):
    """What the checks read of a response (httpx's, or the in-process test client's)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def text(self) -> str: ...


class Requester(Protocol):
    """A client of the broker: a live one's httpx client or the in-process test client."""

    def request(
        self, method: str, url: str, *, content: bytes | None, headers: dict[str, str]
    ) -> Answer: ...


def call(client: Requester, target: Target, authorization: str | None) -> Answer:
    headers = {"authorization": authorization} if authorization is not None else {}
    body = b"{}" if target.method in ("POST", "PUT", "PATCH") else None
    if body is not None:
        headers["content-type"] = "application/json"
    return client.request(target.method, target.path, content=body, headers=headers)


def expected(target: Target, role: str | None, *, public_read: bool) -> str:
    """``"pass"``, ``"401"`` or ``"403"``: what the authenticator should do."""
    if target.access == "public" or (public_read and target.access == "read"):
        return "pass"
    if role is None:
        return "401"
    if target.access == "write" and role != "write":
        return "403"
    return "pass"


def check(response: Answer, outcome: str) -> str | None:
    status = response.status_code
    if outcome == "401":
        challenge = response.headers.get("www-authenticate", "")
        if status != 401 or "Basic" not in challenge or "Bearer" not in challenge:
            return f"expected 401 with a challenge, got {status} {challenge!r}"
        return None
    if outcome == "403":
        return None if status == 403 else f"expected 403, got {status}"
    if status in (401, 403) or status >= 500:
        return f"expected to pass authentication, got {status} {response.text[:200]}"
    return None


def run_matrix(
    client: Requester,
    credentials: dict[str, tuple[str | None, str | None]],
    *,
    public_read: bool,
) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    failures = []
    for name, (authorization, role) in credentials.items():
        for target in [HEARTBEAT, *READS, *WRITES]:
            outcome = expected(target, role, public_read=public_read)
            problem = check(call(client, target, authorization), outcome)
            outcomes[outcome] += 1
            if problem:
                failures.append(f"{name} {target.method} {target.path}: {problem}")
    assert not failures, "\n".join(failures[:40])
    return outcomes


def test_the_app_has_write_routes_to_protect() -> None:
    assert len([t for t in WRITES if t.access == "write"]) >= 30
    assert Target("POST", "/contracts/publish", "write") in WRITES


def test_every_credential_on_every_route(in_process_broker: InProcessFactory) -> None:
    client = in_process_broker(**ALL_CREDENTIALS).client
    outcomes = run_matrix(client, CREDENTIALS, public_read=False)
    print(f"auth cases (all credentials configured): {sum(outcomes.values())} {dict(outcomes)}")


def test_basic_auth_alone(in_process_broker: InProcessFactory) -> None:
    client = in_process_broker(**BASIC_ONLY).client
    tokens_fail = {
        name: (header, None if header and header.lower().startswith("bearer") else role)
        for name, (header, role) in CREDENTIALS.items()
    }
    outcomes = run_matrix(client, tokens_fail, public_read=False)
    print(f"auth cases (basic only): {sum(outcomes.values())}")


def test_bearer_tokens_alone(in_process_broker: InProcessFactory) -> None:
    client = in_process_broker(**TOKENS_ONLY).client
    basic_fails = {
        name: (header, None if header and header.lower().startswith("basic") else role)
        for name, (header, role) in CREDENTIALS.items()
    }
    outcomes = run_matrix(client, basic_fails, public_read=False)
    print(f"auth cases (tokens only): {sum(outcomes.values())}")


def test_public_read_opens_reads_only(in_process_broker: InProcessFactory) -> None:
    client = in_process_broker(**ALL_CREDENTIALS, allow_public_read=True).client
    outcomes = run_matrix(client, CREDENTIALS, public_read=True)
    print(f"auth cases (public read): {sum(outcomes.values())}")


def test_read_only_credentials_may_fetch_pacts_for_verification(
    broker_factory: BrokerFactory,
) -> None:
    broker = broker_factory(**ALL_CREDENTIALS)
    client = broker.client
    writer = {"authorization": f"Bearer {WRITE_TOKEN}"}
    assert client.post("/pacticipants", json={"name": "Prov"}, headers=writer).status_code == 201
    for header in (basic(*READER), f"Bearer {READ_TOKEN}"):
        response = client.post(
            "/pacts/provider/Prov/for-verification",
            json={"consumerVersionSelectors": [{"mainBranch": True}]},
            headers={"authorization": header},
        )
        assert response.status_code == 200, response.text
    # ...but not one step further, even on a path that merely looks similar.
    response = client.post(
        "/pacts/provider/Prov/for-verification/x",
        json={},
        headers={"authorization": f"Bearer {READ_TOKEN}"},
    )
    assert response.status_code == 403


def test_the_heartbeat_is_only_open_to_reads(broker_factory: BrokerFactory) -> None:
    client = broker_factory(**ALL_CREDENTIALS).client
    assert client.get("/diagnostic/status/heartbeat").status_code == 200
    assert client.post("/diagnostic/status/heartbeat", json={}).status_code == 401
    # An encoded slash does not turn another path into the heartbeat.
    assert client.get("/diagnostic%2Fstatus%2Fheartbeat").status_code == 401


def test_without_credentials_configured_everything_is_open(live_broker: LiveBroker) -> None:
    outcomes = run_matrix(
        live_broker.client,
        {"none": (None, "write"), "junk": ("Basic !!!", "write")},
        public_read=False,
    )
    assert set(outcomes) == {"pass"}


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"basic_auth_username": "u"}, "PACT_BROKER_BASIC_AUTH_PASSWORD"),
        ({"basic_auth_password": "p-secret-1"}, "PACT_BROKER_BASIC_AUTH_USERNAME"),
        ({"basic_auth_read_only_username": "r"}, "PACT_BROKER_BASIC_AUTH_READ_ONLY_PASSWORD"),
        (
            {"basic_auth_read_only_password": "p-secret-1"},
            "PACT_BROKER_BASIC_AUTH_READ_ONLY_USERNAME",
        ),
    ],
)
def test_half_configured_credentials_stop_the_broker(
    tmp_path: Path, settings: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValueError, match=named) as failure:
        create_app(Settings(database_url=f"sqlite:///{tmp_path / 'b.sqlite'}", **settings))
    assert "p-secret-1" not in str(failure.value)


def test_secrets_stay_out_of_reprs() -> None:
    settings = Settings(**ALL_CREDENTIALS)
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    for secret in (WRITER[1], READER[1], WRITE_TOKEN, READ_TOKEN):
        assert secret not in shown
    assert isinstance(settings.auth_token, SecretStr)
    authenticator = Authenticator(lambda *_: None, settings)  # type: ignore[arg-type]
    assert all(secret not in repr(vars(authenticator)) for secret in (WRITE_TOKEN, WRITER[1]))


def test_secrets_never_reach_the_log(tmp_path: Path) -> None:
    """A real server at debug level, sent right and wrong credentials and a failing request:
    no form of any secret appears in what it writes."""
    env = {f"PACT_BROKER_{k.upper()}": str(v) for k, v in ALL_CREDENTIALS.items()}
    broker = start_broker_process(
        f"sqlite:///{tmp_path / 'b.sqlite'}", tmp_path / "broker.log", env=env, log_level="debug"
    )
    try:
        with httpx.Client(base_url=broker.url, timeout=30) as client:
            # The PACT_BROKER_* variables switched authentication on.
            assert client.get("/pacticipants").status_code == 401
            reader = {"authorization": basic(*READER)}
            assert (
                client.post("/pacticipants", json={"name": "n"}, headers=reader).status_code == 403
            )
            for header, _ in CREDENTIALS.values():
                headers = {"authorization": header} if header else {}
                client.get("/pacticipants", headers=headers)
                client.post("/pacticipants", json={"name": "n"}, headers=headers)
            writer = {"authorization": f"Bearer {WRITE_TOKEN}"}
            client.post("/contracts/publish", json={"bad": True}, headers=writer)
    finally:
        broker.stop()
    output = broker.output()
    assert "GET /pacticipants" in output  # the log is there and at debug level
    forms = []
    for secret in (WRITER[1], READER[1], WRITE_TOKEN, READ_TOKEN):
        forms += [secret, base64.b64encode(secret.encode()).decode()]
    forms += [basic(*WRITER).split(" ", 1)[1], basic(*READER).split(" ", 1)[1]]
    leaked = [form for form in forms if form in output]
    assert leaked == []
