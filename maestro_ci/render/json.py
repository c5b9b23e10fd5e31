"""JSON rendering: the result model itself, deterministic."""

from __future__ import annotations

from pydantic import BaseModel

from maestro_ci.sources.store import dump_json


def render_json(model: BaseModel) -> str:
    return dump_json(model.model_dump(mode="json"))
