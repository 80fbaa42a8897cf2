"""Pacticipants and their labels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from pact_pipeline.broker.models import (
    Label,
    Pacticipant,
)
from pact_pipeline.broker.paging import Page, PageRequest
from pact_pipeline.broker.repository.common import chunked
from pact_pipeline.broker.repository.paging import scalars_page

# Queries asked on every request are built once: building and keying a query costs more than
# SQLite takes to run it.
_BY_NAME = select(Pacticipant).where(Pacticipant.name == bindparam("name"))
_BY_IDS = select(Pacticipant).where(Pacticipant.id.in_(bindparam("ids", expanding=True)))


def find_pacticipant(session: Session, name: str) -> Pacticipant | None:
    return session.scalars(_BY_NAME, {"name": name}).first()


def list_pacticipants(session: Session) -> Sequence[Pacticipant]:
    return session.scalars(select(Pacticipant).order_by(Pacticipant.name)).all()


def pacticipants_page(
    session: Session,
    *,
    label: str | None = None,
    name_filter: str | None = None,
    page: PageRequest | None = None,
) -> Page[Pacticipant]:
    """Pacticipants by name (with ``label``; whose name contains ``name_filter``, any case):
    all, or one page."""
    query = select(Pacticipant).order_by(Pacticipant.name)
    if label is not None:
        query = query.join(Label).where(Label.name == label)
    if name_filter is not None:
        query = query.where(Pacticipant.name.icontains(name_filter, autoescape=True))
    return scalars_page(session, query, page)


def find_or_create_pacticipant(session: Session, name: str) -> Pacticipant:
    pacticipant = find_pacticipant(session, name)
    if pacticipant is None:
        pacticipant = Pacticipant(name=name)
        session.add(pacticipant)
        session.flush()
    return pacticipant


def pacticipants_with_label(session: Session, label: str) -> Sequence[Pacticipant]:
    return session.scalars(
        select(Pacticipant).join(Label).where(Label.name == label).order_by(Pacticipant.name)
    ).all()


def pacticipant_by_id(session: Session, pacticipant_id: int) -> Pacticipant:
    return session.get_one(Pacticipant, pacticipant_id)


def pacticipants_by_ids(session: Session, ids: Iterable[int]) -> dict[int, Pacticipant]:
    """The pacticipants by id (many, one query a chunk)."""
    found: dict[int, Pacticipant] = {}
    for chunk in chunked(ids):
        found.update((p.id, p) for p in session.scalars(_BY_IDS, {"ids": chunk}))
    return found


_NAMES_AMONG = select(Pacticipant.name).where(
    Pacticipant.name.in_(bindparam("names", expanding=True))
)


def existing_names(session: Session, names: Iterable[str]) -> set[str]:
    """Which of the names are pacticipants' names."""
    return set(session.scalars(_NAMES_AMONG, {"names": sorted(set(names))}))


def pacticipant_names(session: Session) -> dict[int, str]:
    """Every pacticipant's name by id (the matrix names both sides of each integration)."""
    return dict(session.execute(select(Pacticipant.id, Pacticipant.name)).all())
