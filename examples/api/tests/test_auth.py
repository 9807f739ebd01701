"""The bearer check: both endpoints refuse every request without a good HS256 token."""

from datetime import timedelta

import jwt
import pytest

from conftest import SECRET, make_token

ENDPOINTS = [("get", "/coverage/stats"), ("post", "/coverage/refresh")]


def call(client, method, path, headers=None):
    return getattr(client, method)(path, headers=headers or {})


@pytest.mark.parametrize("method,path", ENDPOINTS)
def test_missing_token_is_401(client, method, path):
    response = call(client, method, path)
    assert response.status_code == 401
    assert response.json() == {"detail": "missing bearer token"}
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("method,path", ENDPOINTS)
@pytest.mark.parametrize("header", [
    "Bearer not-a-jwt",
    "Bearer " + make_token(secret="some-other-secret"),
    "Bearer " + make_token(algorithm="HS512"),
    # An unsigned token ("alg": "none") must never pass.
    "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ.",
], ids=["garbage", "other-secret", "HS512", "alg-none"])
def test_bad_token_is_401(client, method, path, header):
    response = call(client, method, path, {"Authorization": header})
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid token"}


@pytest.mark.parametrize("method,path", ENDPOINTS)
def test_other_scheme_is_401(client, method, path):
    response = call(client, method, path, {"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401


@pytest.mark.parametrize("method,path", ENDPOINTS)
def test_expired_token_is_401(client, method, path):
    token = make_token(expires_in=timedelta(minutes=-1))
    response = call(client, method, path, {"Authorization": "Bearer " + token})
    assert response.status_code == 401
    assert response.json() == {"detail": "token expired"}


def test_token_without_expiry_is_401(client):
    token = jwt.encode({"sub": "forever"}, SECRET, algorithm="HS256")
    response = client.get("/coverage/stats", headers={"Authorization": "Bearer " + token})
    assert response.status_code == 401


def test_good_token_is_accepted(client, auth):
    assert client.get("/coverage/stats", headers=auth).status_code == 200
