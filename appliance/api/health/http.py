"""GET /api/health (admin)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter

from paivystys.appliance.api.context import Admin, Config
from paivystys.appliance.api.health.schemas import Health
from paivystys.appliance.api.health.service import snapshot

router = APIRouter(prefix="/api", tags=["health"], responses={401: {}, 403: {}})


# exclude_unset: the modem's updated_at stays absent until the modem service first reports.
@router.get("/health", response_model=Health, response_model_exclude_unset=True)
def health(user: Admin, config: Config) -> dict[str, Any]:
    data_dir = config.db_path.parent if config.db_path else Path("/")
    return snapshot(data_dir, config.version)
