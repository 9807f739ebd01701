"""A small HTTP API over coverage_ext: GET /coverage/stats and POST /coverage/refresh.

Both endpoints are thin wrappers over coverage.stats() and coverage.refresh(): the
database validates the arguments, and its errors become HTTP errors. Every request needs
a bearer token signed with HS256.

Written for Debian 12's packages: FastAPI 0.92, pydantic 1.10, psycopg 3.1, PyJWT 2.6.

Configuration, from the environment (see Settings.from_env):
  COVERAGE_API_JWT_SECRET    the HS256 secret tokens are signed with
  COVERAGE_API_READ_DSN      libpq connection string of the read role, for stats
  COVERAGE_API_REFRESH_DSN   the same for the role that may refresh
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Literal, Optional, Union

import jwt
import psycopg
from fastapi import Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from psycopg import errors
from pydantic import BaseModel, Field, StrictInt, StrictStr


@dataclass(frozen=True)
class Settings:
    jwt_secret: str
    read_dsn: str
    refresh_dsn: str

    @classmethod
    def from_env(cls) -> "Settings":
        names = {
            "jwt_secret": "COVERAGE_API_JWT_SECRET",
            "read_dsn": "COVERAGE_API_READ_DSN",
            "refresh_dsn": "COVERAGE_API_REFRESH_DSN",
        }
        missing = [env for env in names.values() if not os.environ.get(env)]
        if missing:
            raise RuntimeError("set the environment variables " + ", ".join(missing))
        return cls(**{field: os.environ[env] for field, env in names.items()})


# Entity and group keys keep their JSON type in coverage.stats(): text keys arrive as
# strings, integer keys as numbers. Strict types stop pydantic from turning one into the
# other.
Key = Union[StrictStr, StrictInt]


class Segment(BaseModel):
    start: datetime
    end: datetime
    points: int


class Entity(BaseModel):
    key: Key
    status: Optional[str]
    search: Dict[str, Any] = Field(description="the configured search columns")
    first_ts: Optional[datetime]
    last_ts: Optional[datetime]
    num_segments: int
    covered_seconds: float
    points: Dict[str, int] = Field(description="points per source label")
    segments: List[Segment]


class Group(BaseModel):
    group_key: Optional[Key] = Field(description="the event ticker; null for Ungrouped")
    label: str
    entity_count: int
    entities: List[Entity]


class Summary(BaseModel):
    entities: int
    entities_with_data: int
    groups: int
    segments: int
    points: Dict[str, int]
    first_ts: Optional[datetime]
    last_ts: Optional[datetime]
    refreshed_at: Optional[datetime]


class StatsPage(BaseModel):
    summary: Summary = Field(description="every entity matching the filters, not the page")
    groups: List[Group]
    page: int
    page_size: int
    total_groups: int
    total_pages: int


class RefreshResult(BaseModel):
    status: Literal["refreshed", "skipped"]
    started_at: datetime
    duration_seconds: float
    entities: int = Field(description="entity rows written or removed")


# auto_error=False: a missing header is our 401, not FastAPI's 403.
_bearer = HTTPBearer(auto_error=False)


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=reason,
                         headers={"WWW-Authenticate": "Bearer"})


def _error_response(status_code: int):
    """An exception handler that answers with the database's own message."""
    async def handler(_request: Request, exc: psycopg.Error) -> JSONResponse:
        return JSONResponse(status_code=status_code,
                            content={"detail": exc.diag.message_primary or str(exc)})
    return handler


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    """The application; uvicorn --factory coverage_api:create_app reads the environment."""
    settings = settings or Settings.from_env()
    app = FastAPI(title="coverage_ext API example", version="0.1.0")
    # The errors a caller can cause; any other database error stays a server error (500).
    # 22023: a page or page_size out of range.
    app.add_exception_handler(errors.InvalidParameterValue,
                              _error_response(status.HTTP_400_BAD_REQUEST))
    # 55000: the coverage view is not configured yet.
    app.add_exception_handler(errors.ObjectNotInPrerequisiteState,
                              _error_response(status.HTTP_409_CONFLICT))

    def require_token(
        credentials: Optional[HTTPAuthorizationCredentials] = Depends(_bearer),
    ) -> Dict[str, Any]:
        if credentials is None:
            raise _unauthorized("missing bearer token")
        try:
            # Naming the one algorithm refuses "none" and tokens signed any other way;
            # "exp" is required so that no token is valid forever.
            return jwt.decode(credentials.credentials, settings.jwt_secret,
                              algorithms=["HS256"], options={"require": ["exp"]})
        except jwt.ExpiredSignatureError:
            raise _unauthorized("token expired") from None
        except jwt.InvalidTokenError:
            raise _unauthorized("invalid token") from None

    @app.get("/coverage/stats", response_model=StatsPage)
    def get_stats(
        search: Optional[str] = Query(None, description="substring of ticker or title"),
        status_: Optional[str] = Query(None, alias="status"),
        event_ticker: Optional[str] = Query(None, description="one event's markets"),
        page: int = 1,
        page_size: int = 20,
        _claims: Dict[str, Any] = Depends(require_token),
    ) -> Dict[str, Any]:
        # One short connection per request keeps the example free of a pool; a service
        # under load would keep connections (psycopg_pool) instead.
        with psycopg.connect(settings.read_dsn) as conn:
            row = conn.execute(
                "SELECT coverage.stats(search => %s, status => %s, group_key => %s,"
                " page => %s, page_size => %s)",
                (search, status_, event_ticker, page, page_size)).fetchone()
        return row[0]

    @app.post("/coverage/refresh", response_model=RefreshResult)
    def post_refresh(
        wait: bool = Query(False, description="wait for a running refresh, not skip"),
        full: bool = Query(False, description="recompute everything"),
        _claims: Dict[str, Any] = Depends(require_token),
    ) -> Dict[str, Any]:
        # autocommit: the refresh commits, and releases its lock, as soon as it returns.
        with psycopg.connect(settings.refresh_dsn, autocommit=True) as conn:
            row = conn.execute(
                "SELECT status, started_at, duration, entities"
                " FROM coverage.refresh(wait => %s, \"full\" => %s)",
                (wait, full)).fetchone()
        return {"status": row[0], "started_at": row[1],
                "duration_seconds": row[2].total_seconds(), "entities": row[3]}

    return app
