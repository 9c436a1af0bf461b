"""Failed requests: an unreachable database is an outage (503, in words), anything else a bug (500)."""

import asyncio

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.requests import Request

from portal.api import failures
from portal.services import db
from portal.state.failures import on_event_error


def _request(language: str) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/auth/login", "query_string": b"",
                    "headers": [(b"accept-language", language.encode())]})


OUTAGE = OperationalError("SELECT 1", {}, Exception("connection refused"))
BUG = IntegrityError("INSERT", {}, Exception("duplicate key"))


@pytest.mark.parametrize("error, outage", [(OUTAGE, True), (RedisConnectionError("gone"), True), (BUG, False),
                                           (ValueError("bug"), False)])
def test_outages_are_told_from_bugs(error, outage):
    assert db.is_outage(error) is outage


def test_an_outage_answers_503_with_retry_after_in_the_browsers_language():
    response = asyncio.run(failures.on_error(_request("en-GB,en;q=0.9"), OUTAGE))
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "Temporarily unavailable" in response.body.decode() and "Nothing was saved" in response.body.decode()


def test_a_bug_answers_500_without_details():
    response = asyncio.run(failures.on_error(_request("de"), BUG))
    body = response.body.decode()
    assert response.status_code == 500 and "Etwas ist schiefgelaufen" in body and "duplicate key" not in body


def test_a_failed_event_shows_a_german_toast_not_reflexs_english_one():
    toast = str(on_event_error(OUTAGE).args)
    assert "Gerade nicht erreichbar" in toast and "An error occurred" not in toast
