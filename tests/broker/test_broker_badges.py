"""Status badges as the Ruby broker serves them (``spec/features/get_*badge*_spec.rb``,
``spec/lib/pact_broker/badges/service_spec.rb``), rendered here as shields-style SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import pytest

from pact_pipeline.broker import badges
from pact_pipeline.broker.services import badges as badge_svc
from pact_pipeline.broker.services import verifications as verification_svc
from pact_pipeline.broker.testing import TestData
from tests.broker.broker_support import InProcessBroker, InProcessFactory

SVG = "{http://www.w3.org/2000/svg}"
GREEN, RED, ORANGE, GREY = "#4c1", "#e05d44", "#fe7d37", "#9f9f9f"
PACT_BADGE = "/pacts/provider/Bar/consumer/Foo/latest/badge"


class Answer(Protocol):
    """What the checks read of a response."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Shown:
    label: str
    message: str
    colour: str


def parse(svg: str) -> ET.Element:
    """Our own SVG (the broker's answer), parsed as XML."""
    return ET.fromstring(svg)  # noqa: S314 - the document under test, not untrusted input


def shown(response: Answer) -> Shown:
    """What a badge response shows, read back from its SVG (which must parse as XML)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml;charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    root = parse(response.text)
    assert root.tag == f"{SVG}svg"
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert len(texts) == 4 and texts[0] == texts[1] and texts[2] == texts[3]
    colour = [r.get("fill") for r in root.iter(f"{SVG}rect")][2]
    # Each text gets its estimated width plus padding: the badge is as wide as both.
    expected = badges.segment_width(texts[1]) + badges.segment_width(texts[3])
    assert root.get("width") == str(expected)
    return Shown(texts[1], texts[3], str(colour))


def get(api: InProcessBroker, path: str, **params: str) -> Shown:
    return shown(api.client.get(path, params=params))


@pytest.fixture
def td(api: InProcessBroker) -> TestData:
    return TestData(api.db).create_consumer("Foo").create_provider("Bar")


# --- pact badges ------------------------------------------------------------------------------


def test_a_verified_pact(api: InProcessBroker, td: TestData) -> None:
    td.create_consumer_version("1").create_pact().create_verification("2")
    response = api.client.get(PACT_BADGE)
    assert shown(response) == Shown("foo/bar pact", "verified", GREEN)
    # The Ruby broker notes what it decided from before the SVG.
    assert response.text.startswith("<!-- Foo version 1 revision 1 Bar version 2 number 1 -->\n")


def test_a_failed_pact(api: InProcessBroker, td: TestData) -> None:
    td.create_consumer_version("1").create_pact().create_verification("2", success=False)
    assert (get(api, PACT_BADGE).message, get(api, PACT_BADGE).colour) == ("failed", RED)


def test_a_pending_pact_that_failed(api: InProcessBroker, td: TestData) -> None:
    td.create_consumer_version("1").create_pact()
    verification_svc.publish_verification(
        api.db,
        provider_name="Bar",
        consumer_name="Foo",
        sha=td.pact_sha,
        metadata={"p": True},
        command=verification_svc.VerificationCommand(success=False, provider_version="2"),
        present=lambda v: v,
    )
    badge = get(api, PACT_BADGE)
    assert (badge.message, badge.colour) == ("failed (pending)", RED)


def test_a_pact_changed_since_it_was_verified(api: InProcessBroker, td: TestData) -> None:
    td.create_consumer_version("1").create_pact().create_verification("2")
    td.create_consumer_version("2").random_pact()
    badge = get(api, PACT_BADGE)
    assert (badge.message, badge.colour) == ("changed", ORANGE)


def test_unchanged_content_keeps_its_verification(api: InProcessBroker, td: TestData) -> None:
    td.create_consumer_version("1").create_pact().create_verification("2")
    td.create_consumer_version("2").create_pact()  # the same content again
    assert get(api, PACT_BADGE).message == "verified"


def test_a_pact_never_verified(api: InProcessBroker, td: TestData) -> None:
    td.create_consumer_version("1").create_pact()
    assert get(api, PACT_BADGE) == Shown("foo/bar pact", "unknown", GREY)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/pacts/provider/Bar/consumer/Foo/latest/badge", id="no-pact"),
        pytest.param("/pacts/provider/Bar/consumer/Nobody/latest/badge", id="no-consumer"),
        pytest.param("/pacts/provider/Nobody/consumer/Foo/latest/prod/badge", id="no-provider"),
        pytest.param("/pacts/provider/Bar/consumer/Foo/latest-untagged/badge", id="untagged"),
    ],
)
def test_no_pact_is_a_grey_badge_not_a_404(api: InProcessBroker, td: TestData, path: str) -> None:
    badge = get(api, path, label="consumer")
    assert (badge.label, badge.message, badge.colour) == ("pact not found", "unknown", GREY)


def test_tagged_and_untagged_pacts(api: InProcessBroker, td: TestData) -> None:
    td.create_consumer_version("1", tags=("prod",)).create_pact().create_verification("2")
    td.create_consumer_version("2").random_pact().create_verification("3", success=False)
    base = "/pacts/provider/Bar/consumer/Foo"
    assert get(api, f"{base}/latest/prod/badge").message == "verified"
    assert get(api, f"{base}/latest/badge").message == "failed"
    assert get(api, f"{base}/latest-untagged/badge").message == "failed"
    assert get(api, f"{base}/latest/test/badge").label == "pact not found"


def test_the_latest_untagged_pact(api: InProcessBroker, td: TestData) -> None:
    td.create_consumer_version("1").create_pact().create_verification("2")
    td.create_consumer_version("2", tags=("prod",)).random_pact()
    td.create_verification("3", success=False)
    assert get(api, "/pacts/provider/Bar/consumer/Foo/latest-untagged/badge").message == "verified"


def test_badge_is_the_badge_and_other_tags_are_pacts(api: InProcessBroker, td: TestData) -> None:
    td.create_consumer_version("1", tags=("prod", "badge")).create_pact()
    assert get(api, PACT_BADGE).message == "unknown"
    assert get(api, f"{PACT_BADGE}.svg").message == "unknown"
    pact = api.client.get("/pacts/provider/Bar/consumer/Foo/latest/prod")
    assert pact.status_code == 200
    assert pact.json()["consumer"]["name"] == "Foo"


@pytest.mark.parametrize(
    ("params", "label"),
    [
        pytest.param({}, "foo-bar/thing_blah pact", id="both"),
        pytest.param({"label": "consumer"}, "foo-bar pact", id="consumer"),
        pytest.param({"label": "Provider"}, "thing_blah pact", id="provider"),
        pytest.param({"label": "anything"}, "foo-bar/thing_blah pact", id="other-label"),
        pytest.param({"initials": "true"}, "fb/tb pact", id="initials"),
        pytest.param({"label": "consumer", "initials": "true"}, "fb pact", id="consumer-initials"),
        pytest.param({"initials": "yes"}, "foo-bar/thing_blah pact", id="initials-not-true"),
    ],
)
def test_pact_badge_labels(api: InProcessBroker, params: dict[str, str], label: str) -> None:
    TestData(api.db).create_pact_with_hierarchy("Foo-Bar", "1", "Thing_Blah")
    path = "/pacts/provider/Thing_Blah/consumer/Foo-Bar/latest/badge"
    assert get(api, path, **params).label == label


def test_markup_in_names_is_escaped(api: InProcessBroker) -> None:
    consumer, provider = '<b>Foo & "Co"</b>', "Bar's -->"
    data = TestData(api.db).create_pact_with_hierarchy(consumer, "1--2", provider)
    data.create_verification("<3>")
    path = f"/pacts/provider/{quote(provider, safe='')}/consumer/{quote(consumer, safe='')}"
    response = api.client.get(f"{path}/latest/badge")
    assert shown(response).label == '<b>foo & "co"</b>/bar\'s --> pact'
    assert "<b>" not in response.text.split("-->\n", 1)[1]
    assert response.text.count("-->") == 1  # the note's own end only


# --- matrix badge -----------------------------------------------------------------------------

MATRIX_BADGE = "/matrix/provider/Bar/latest/master/consumer/Foo/latest/prod/badge"


def test_the_matrix_badge(api: InProcessBroker, td: TestData) -> None:
    td.create_consumer_version("1", tags=("prod",)).create_pact().create_verification("4")
    td.create_provider_version_tag("master")
    td.create_consumer_version("2").random_pact().create_verification("5", success=False)
    assert get(api, MATRIX_BADGE) == Shown("foo (prod)/bar (master) pact", "verified", GREEN)
    assert get(api, MATRIX_BADGE, initials="true").label == "foo (prod)/bar (master) pact"


def test_a_matrix_badge_without_a_verification_by_the_tag(
    api: InProcessBroker, td: TestData
) -> None:
    td.create_consumer_version("1", tags=("prod",)).create_pact().create_verification("4")
    assert get(api, MATRIX_BADGE).message == "unknown"
    path = "/matrix/provider/Bar/latest/master/consumer/Nobody/latest/prod/badge.svg"
    assert get(api, path).label == "pact not found"


# --- can-i-deploy badges ----------------------------------------------------------------------

BRANCH_BADGE = (
    "/pacticipants/Foo/branches/main/latest-version/can-i-deploy/to-environment/prod/badge"
)
TAG_BADGE = "/pacticipants/Foo/latest-version/main/can-i-deploy/to/prod/badge"


def deployable(api: InProcessBroker, query: str) -> bool | None:
    response = api.client.get(f"/can-i-deploy?{query}")
    assert response.status_code == 200, response.text
    answer: bool | None = response.json()["summary"]["deployable"]
    return answer


@pytest.mark.parametrize(
    ("success", "colour"),
    [
        pytest.param(True, GREEN, id="yes"),
        pytest.param(False, RED, id="no"),
        pytest.param(None, RED, id="unknown"),  # as the Ruby broker: only a yes is green
    ],
)
def test_can_i_deploy_a_branch_to_an_environment(
    api: InProcessBroker, td: TestData, success: bool | None, colour: str
) -> None:
    td.create_consumer_version("0", branch="main").create_pact()
    td.create_consumer_version("1", branch="main").random_pact()
    if success is not None:
        td.create_verification("2", success=success)
    else:
        td.create_provider_version("2")
    td.create_environment("prod").deploy("Bar", "2", "prod")
    assert get(api, BRANCH_BADGE) == Shown("can-i-deploy", "main to prod", colour)
    assert deployable(api, "pacticipant=Foo&version=1&environment=prod") is success
    assert get(api, BRANCH_BADGE, label="deploy me").label == "deploy me"
    assert get(api, f"{BRANCH_BADGE}.svg", label="").label == "can-i-deploy"


@pytest.mark.parametrize(
    ("path", "label"),
    [
        pytest.param(BRANCH_BADGE.replace("/Foo/", "/Nobody/"), "pacticipant", id="pacticipant"),
        pytest.param(BRANCH_BADGE.replace("/main/", "/feat/"), "branch", id="branch"),
        pytest.param(BRANCH_BADGE.replace("/prod/", "/test/"), "environment", id="environment"),
        pytest.param(TAG_BADGE.replace("/Foo/", "/Nobody/"), "pacticipant", id="tag-pacticipant"),
        pytest.param(TAG_BADGE.replace("/main/", "/feat/"), "version", id="tag-version"),
    ],
)
def test_can_i_deploy_with_something_missing(
    api: InProcessBroker, td: TestData, path: str, label: str
) -> None:
    td.create_consumer_version("1", branch="main", tags=("main",)).create_pact()
    td.create_environment("prod")
    assert get(api, path, label="ignored") == Shown(label, "not found", GREY)


@pytest.mark.parametrize(("success", "colour"), [(True, GREEN), (False, RED)])
def test_can_i_deploy_a_tag_to_a_tag(
    api: InProcessBroker, td: TestData, success: bool, colour: str
) -> None:
    td.create_consumer_version("1", tags=("main",)).create_pact()
    td.create_verification("2", success=success).create_provider_version_tag("prod")
    # A newer, untagged version verified the other way is not the one asked about.
    td.create_consumer_version("3").random_pact().create_verification("4", success=not success)
    assert get(api, TAG_BADGE) == Shown("can-i-deploy", "main to prod", colour)
    assert deployable(api, "pacticipant=Foo&version=1&to=prod") is success


# --- errors -----------------------------------------------------------------------------------


def test_an_error_is_a_grey_badge(api: InProcessBroker, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> badges.Badge:
        raise RuntimeError("boom")

    monkeypatch.setattr(badge_svc, "pact_badge", broken)
    badge = get(api, PACT_BADGE)
    assert (badge.label, badge.colour) == ("error", GREY)
    assert badge.message.startswith("reference: ")


# --- rendering (pure) -------------------------------------------------------------------------


def test_longer_text_is_wider() -> None:
    assert badges.text_width("") == 0
    assert 0 < badges.text_width("i") < badges.text_width("m") < badges.text_width("mm")
    assert badges.text_width("verified") < badges.text_width("verified (pending)")
    # Verdana at 11px: "pact" is about 23.5px, "verified" about 41px (shields' own badges).
    assert badges.text_width("pact") == pytest.approx(23.5, abs=0.1)
    assert badges.text_width("verified") == pytest.approx(41.1, abs=0.1)
    short = badges.render(badges.Badge("pact", "verified", "brightgreen"))
    long = badges.render(badges.Badge("a much longer label", "verified", "brightgreen"))
    assert int(parse(short).get("width", "0")) < int(parse(long).get("width", "0"))


def test_characters_outside_ascii_have_widths() -> None:
    assert badges.text_width("é") == badges.text_width("e")
    assert badges.text_width("名前") == 2 * 11
    assert badges.text_width("e\u0301") == badges.text_width("e")  # a combining accent
    assert badges.text_width("Ж") > 0


def test_render_escapes_and_drops_what_xml_cannot_hold() -> None:
    text = "a<b>&\"c'\x00\x1b\nd"
    svg = badges.render(badges.Badge(text, "x", "red", comment="ends with -- and -->"))
    root = parse(svg)
    assert [t.text for t in root.iter(f"{SVG}text")][1] == "a<b>&\"c' d"
    assert root.get("aria-label") == "a<b>&\"c' d: x"
    assert svg.startswith("<!-- ends with - - and - -> -->\n")


@pytest.mark.parametrize(
    ("consumer", "provider", "label"),
    [
        ("Foo", "Bar", "foo/bar pact"),
        ("FooApp", "barProvider", "fa/bp pact"),
        ("FooApp", "doAThing", "fa/dat pact"),
        ("Foo Bar_Baz-Qux", "HTTPServer", "fbbq/hs pact"),
    ],
)
def test_initials(consumer: str, provider: str, label: str) -> None:
    request = badges.PactBadgeRequest(initials=True)
    badge = badges.pact_badge(consumer, provider, badges.PseudoBranchStatus.NEVER, request)
    assert badge.label == label


def test_badge_paths_are_recognised() -> None:
    assert badges.is_badge_path(PACT_BADGE)
    assert badges.is_badge_path(f"{PACT_BADGE}.svg")
    assert badges.is_badge_path(MATRIX_BADGE)
    assert badges.is_badge_path(BRANCH_BADGE)
    assert badges.is_badge_path(TAG_BADGE)
    assert not badges.is_badge_path("/pacts/provider/Bar/consumer/Foo/latest")
    assert not badges.is_badge_path("/pacticipants/Foo/badge")


@pytest.mark.parametrize(
    "accept",
    [
        "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",  # an <img>
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # opened directly
        "application/hal+json",
    ],
)
def test_every_client_gets_the_svg(api: InProcessBroker, td: TestData, accept: str) -> None:
    td.create_consumer_version("1").create_pact()
    assert shown(api.client.get(PACT_BADGE, headers={"accept": accept})).message == "unknown"


def test_badges_need_read_access_unless_reads_are_public(
    in_process_broker: InProcessFactory,
) -> None:
    """As the Ruby broker without ``enable_public_badge_access``."""
    closed = in_process_broker(auth_token="secret")
    assert closed.client.get(PACT_BADGE).status_code == 401
    authorised = closed.client.get(PACT_BADGE, headers={"authorization": "Bearer secret"})
    assert shown(authorised).label == "pact not found"
    public = in_process_broker(auth_token="secret", allow_public_read=True)
    assert shown(public.client.get(PACT_BADGE)).label == "pact not found"


def test_public_badge_access_opens_the_badges_and_nothing_else(
    in_process_broker: InProcessFactory,
) -> None:
    broker = in_process_broker(auth_token="secret", enable_public_badge_access=True)
    assert shown(broker.client.get(PACT_BADGE)).label == "pact not found"
    can_i_deploy = (
        "/pacticipants/P/branches/main/latest-version/can-i-deploy/to-environment/prod/badge"
    )
    assert broker.client.get(can_i_deploy).status_code == 200
    for path in ("/", "/pacticipants", "/pacts/provider/Bar/consumer/Foo/latest"):
        assert broker.client.get(path).status_code == 401, path
    assert broker.client.post("/pacticipants", json={"name": "X"}).status_code == 401
