"""Routes are data: every page and endpoint is declared once and registered once."""

from starlette.routing import Route

from portal import routes
from portal.api import build_api
from portal.portal import app

REFLEX_ENDPOINTS = ("/_event", "/_upload", "/ping", "/_health")


def _page_path(key: str) -> str:
    return "/" if key == "index" else f"/{key}"


def test_declared_pages_are_unique_and_all_registered():
    assert len(set(routes.PAGES)) == len(routes.PAGES)
    registered = [_page_path(key) for key in app._unevaluated_pages]
    assert sorted(registered) == sorted(routes.PAGES)


def test_api_routes_are_unique_and_clash_with_nothing():
    api_paths = [route.path for route in build_api().routes if isinstance(route, Route)]
    assert sorted(api_paths) == sorted(routes.API + routes.SHELL)
    assert len(set(api_paths)) == len(api_paths)
    for path in api_paths:
        assert path not in routes.PAGES
        assert not path.startswith(REFLEX_ENDPOINTS)
        assert not any(path == page or path.startswith(page + "/") for page in routes.PAGES if page != "/")


def test_builders():
    assert routes.reset_password("abc") == "/reset/abc"
    assert routes.login() == "/login"
    assert routes.login(next_path="/staff/clients", error="invalid") == "/login?next=%2Fstaff%2Fclients&error=invalid"


def test_safe_next_blocks_open_redirects():
    assert routes.safe_next("/portal/profile") == "/portal/profile"
    for bad in (None, "", "https://evil.example", "//evil.example", "/\\evil.example", "portal"):
        assert routes.safe_next(bad) == ""


def test_area_rules():
    assert routes.may_open("staff", "/staff/clients")
    assert not routes.may_open("contact", "/staff/clients")
    assert not routes.may_open("staff", "/portal")
    assert routes.may_open("staff", routes.STAFF_PROFILE) and not routes.may_open("contact", routes.STAFF_PROFILE)
    assert routes.home_for("staff") == routes.STAFF_CLIENTS
    assert routes.home_for("contact") == routes.PORTAL
