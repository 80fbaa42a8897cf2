"""Tags of versions and labels of pacticipants."""

from __future__ import annotations

from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import JSONDict, iso, link
from pact_pipeline.broker.models import Label, Pacticipant, Tag


def label(links: Links, p: Pacticipant, lab: Label) -> JSONDict:
    return {
        "name": lab.name,
        "createdAt": iso(lab.created_at),
        "_links": {
            "self": link(links.label(p.name, lab.name), title="Label", name=lab.name),
            "pb:pacticipant": link(links.pacticipant(p.name), title="Pacticipant", name=p.name),
        },
    }


def tag(links: Links, t: Tag) -> JSONDict:
    version = t.version
    p = version.pacticipant
    return {
        "name": t.name,
        "createdAt": iso(t.created_at),
        "_links": {
            "self": link(links.tag(p.name, version.number, t.name), title="Tag", name=t.name),
            "version": link(
                links.version(p.name, version.number), title="Version", name=version.number
            ),
            "pacticipant": link(links.pacticipant(p.name), title="Pacticipant", name=p.name),
        },
    }
