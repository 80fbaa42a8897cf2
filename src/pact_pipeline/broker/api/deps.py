"""FastAPI dependencies: the database, the link builder and JSON bodies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from pact_pipeline.broker.api.http import base_url, read_json, read_json_object
from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.settings import Settings


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_links(request: Request) -> Links:
    return Links(base_url(request))


async def json_object(request: Request) -> dict[str, Any]:
    return await read_json_object(request)


async def optional_json_object(request: Request) -> dict[str, Any]:
    return await read_json_object(request, allow_empty=True)


async def any_json(request: Request) -> Any:
    return await read_json(request)


DB = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LinksDep = Annotated[Links, Depends(get_links)]
JsonObject = Annotated[dict[str, Any], Depends(json_object)]
OptionalJsonObject = Annotated[dict[str, Any], Depends(optional_json_object)]
