"""Where webhooks may send requests: the scheme, method and host allow-lists (the Pact
Broker's ``webhook_*_whitelist`` settings), checked when a webhook is saved and again before
each request is sent. Pure rules: no database, no HTTP.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pact_pipeline.broker.services.webhooks.templates import with_placeholders

if TYPE_CHECKING:
    from pact_pipeline.broker.settings import Settings

WHITELIST_DOC = "See /doc/webhooks#whitelist for more information."
LEASE_MARGIN_SECONDS = 15.0


@dataclass(frozen=True)
class WebhookPolicy:
    """The allow-lists, what counts as success, and the delivery timing."""

    schemes: tuple[str, ...] = ("https",)
    methods: tuple[str, ...] = ("POST",)
    hosts: tuple[str, ...] = ()
    success_codes: frozenset[int] = frozenset(range(200, 300))
    retry_schedule: tuple[float, ...] = (10.0, 60.0, 120.0, 300.0, 600.0, 1200.0)
    timeout_seconds: float = 15.0
    show_response: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookPolicy:
        hosts = settings.host_whitelist
        show = settings.webhook_show_response
        return cls(
            schemes=settings.scheme_whitelist,
            methods=settings.method_whitelist,
            hosts=hosts,
            success_codes=settings.success_codes,
            retry_schedule=settings.retry_schedule,
            timeout_seconds=settings.webhook_timeout_seconds,
            show_response=bool(hosts) if show is None else show,
        )

    @property
    def lease_seconds(self) -> float:
        """How long a claimed delivery stays claimed: a worker killed mid-request loses it
        after this, and another worker (or the same broker restarted) takes it over."""
        return self.timeout_seconds + LEASE_MARGIN_SECONDS


def _inspect(entry: str) -> str:
    return entry if entry.startswith("/") and entry.endswith("/") else f'"{entry}"'


def method_problem(policy: WebhookPolicy, method: str) -> str | None:
    """Ruby's message when the method is not in ``webhook_http_method_whitelist``."""
    if any(method.lower() == allowed.lower() for allowed in policy.methods):
        return None
    if len(policy.methods) == 1:
        return f"must be {policy.methods[0]}. {WHITELIST_DOC}"
    return f"must be one of {', '.join(policy.methods)}. {WHITELIST_DOC}"


def url_problem(policy: WebhookPolicy, url: str) -> str | None:
    """Ruby's message when the URL's scheme or host is not allowed."""
    try:
        parts = urlsplit(with_placeholders(url))
        host = parts.hostname
    except ValueError:
        return "is not a valid URL eg. http://example.org"
    if not any(parts.scheme.lower() == allowed.lower() for allowed in policy.schemes):
        return f"scheme must be {', '.join(policy.schemes)}. {WHITELIST_DOC}"
    if policy.hosts and not host_allowed(host or "", policy.hosts):
        listed = ", ".join(_inspect(entry) for entry in policy.hosts)
        return f"host must be in the whitelist {listed}. {WHITELIST_DOC}"
    return None


def refusal(policy: WebhookPolicy, method: str, url: str) -> str | None:
    """Why a request may not be sent (``None`` when it may)."""
    problem = method_problem(policy, method)
    if problem is not None:
        return f"method {method.upper()} {problem}"
    problem = url_problem(policy, url)
    return None if problem is None else f"url {problem}"


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return None


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(value.strip("[]"), strict=False)
    except ValueError:
        return None


def _wildcard_match(host: str, pattern: str) -> bool:
    """``*.example.org`` matches one leftmost label, as a TLS certificate's name does."""
    host_labels = host.lower().rstrip(".").split(".")
    pattern_labels = pattern.lower().rstrip(".").split(".")
    if len(host_labels) != len(pattern_labels):
        return False
    first = re.escape(pattern_labels[0]).replace(r"\*", "[^.]*")
    return re.fullmatch(first, host_labels[0]) is not None and host_labels[1:] == pattern_labels[1:]


def host_matches(host: str, entry: str) -> bool:
    """One whitelist entry against a host, with the Pact Broker's rules
    (``check_host_whitelist.rb``): an IP address host matches IP addresses and CIDR ranges;
    other hosts match ``/regex/``, ``*.domain`` or the same name."""
    address = _ip(host)
    if address is not None:
        network = _network(entry)
        return network is not None and address in network
    if len(entry) >= 2 and entry.startswith("/") and entry.endswith("/"):
        try:
            return re.search(entry[1:-1], host) is not None
        except re.error:
            return False
    if entry.startswith("*"):
        return _wildcard_match(host, entry)
    return host.lower() == entry.lower()


def host_allowed(host: str, whitelist: tuple[str, ...]) -> bool:
    """Whether a host is allowed (an empty whitelist allows any host)."""
    return not whitelist or any(host_matches(host, entry) for entry in whitelist)
