"""The production server's worker count: several only with Redis."""

import pytest

from portal import serve


@pytest.mark.parametrize("requested, redis, expected", [(None, "", 1), (None, "redis://r", 2), (4, "redis://r", 4),
                                                        (1, "", 1)])
def test_worker_count(requested, redis, expected):
    assert serve.worker_count(requested, redis) == expected


@pytest.mark.parametrize("requested", [2, 0])
def test_refuses_workers_without_redis_or_none_at_all(requested):
    with pytest.raises(serve.ServeError):
        serve.worker_count(requested, "")


def test_command_line_refuses_several_workers_without_redis(monkeypatch, capsys):
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    assert serve.main(["--workers", "3", "--no-build"]) == 2
    assert "REFLEX_REDIS_URL" in capsys.readouterr().err
