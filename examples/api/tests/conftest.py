"""Fixtures for the API tests: the app on the real database that test/suites/api.sh set up.

COVERAGE_API_TEST_DB names that database; libpq's PGHOST and PGPORT reach the cluster and
PGUSER is a superuser, used only to look at the data and to play the other session.
"""

import os
from datetime import datetime, timedelta, timezone

import jwt
import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.conninfo import make_conninfo

from coverage_api import Settings, create_app

SECRET = "test-secret-of-the-api-suite"
READER = os.environ.get("COVERAGE_API_READER", "coverage_api_reader")
REFRESHER = os.environ.get("COVERAGE_API_REFRESHER", "coverage_api_refresher")


def database() -> str:
    name = os.environ.get("COVERAGE_API_TEST_DB")
    if not name:
        pytest.exit("COVERAGE_API_TEST_DB is not set: run test/suites/api.sh", returncode=3)
    return name


def dsn(user: str) -> str:
    return make_conninfo(dbname=database(), user=user)


def make_token(secret: str = SECRET, algorithm: str = "HS256",
               expires_in: timedelta = timedelta(minutes=5), **claims) -> str:
    claims.setdefault("sub", "api-tests")
    claims["exp"] = datetime.now(timezone.utc) + expires_in
    return jwt.encode(claims, secret, algorithm=algorithm)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(jwt_secret=SECRET, read_dsn=dsn(READER), refresh_dsn=dsn(REFRESHER))


@pytest.fixture(scope="session")
def client(settings) -> TestClient:
    return TestClient(create_app(settings))


@pytest.fixture(scope="session")
def auth() -> dict:
    return {"Authorization": "Bearer " + make_token()}


@pytest.fixture()
def admin():
    """A superuser connection to the test database, in autocommit mode."""
    with psycopg.connect(make_conninfo(dbname=database()), autocommit=True) as conn:
        yield conn


@pytest.fixture()
def other_session():
    """A second superuser connection that tests leave inside an open transaction."""
    conn = psycopg.connect(make_conninfo(dbname=database()))
    yield conn
    conn.rollback()
    conn.close()
