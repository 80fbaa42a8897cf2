"""Colour only where a person reads it: a terminal, unless NO_COLOR says otherwise."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from pact_pipeline.output import colour_wanted


@pytest.fixture
def terminal() -> Iterator[int]:
    """A pseudo-terminal's file descriptor, as a developer's shell would have."""
    leader, follower = os.openpty()
    try:
        yield follower
    finally:
        os.close(leader)
        os.close(follower)


@pytest.fixture
def pipe() -> Iterator[int]:
    """A pipe's write end, as CI's log capture would have."""
    read, write = os.pipe()
    try:
        yield write
    finally:
        os.close(read)
        os.close(write)


def test_a_terminal_gets_colour(terminal: int) -> None:
    assert colour_wanted(terminal, {}) is True


def test_a_pipe_gets_none(pipe: int) -> None:
    assert colour_wanted(pipe, {}) is False


def test_no_color_wins_even_on_a_terminal(terminal: int) -> None:
    assert colour_wanted(terminal, {"NO_COLOR": "1"}) is False


def test_force_color_colours_a_pipe(pipe: int) -> None:
    assert colour_wanted(pipe, {"FORCE_COLOR": "1"}) is True


def test_an_empty_no_color_is_unset(terminal: int) -> None:
    assert colour_wanted(terminal, {"NO_COLOR": ""}) is True
