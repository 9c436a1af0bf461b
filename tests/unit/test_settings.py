"""Settings come from the environment, are validated, and refuse unsafe secrets."""

from pathlib import Path

import pytest

from portal.settings import PLACEHOLDER_SECRET, SettingsError, load_settings

STRONG = "x" * 40


def test_embedded_defaults(tmp_path):
    settings = load_settings({"DATA_DIR": str(tmp_path)})
    assert settings.env == "dev" and settings.demo_data
    assert settings.database_url == f"sqlite:///{tmp_path / 'portal.db'}"
    assert settings.storage_url == f"file://{tmp_path / 'blobs'}"
    assert settings.blob_root == tmp_path / "blobs"
    assert settings.secret_key == PLACEHOLDER_SECRET
    assert settings.smtp_url == "" and settings.redis_url == ""


def test_default_data_dir_is_local_data_folder():
    assert load_settings({}).data_dir == Path("data").resolve()


def test_environment_overrides():
    settings = load_settings({
        "PORTAL_ENV": "production", "SECRET_KEY": STRONG, "DATABASE_URL": "postgresql+psycopg://db/portal",
        "REFLEX_REDIS_URL": "redis://127.0.0.1:6379/3", "STORAGE_URL": "s3://bucket/prefix",
        "SMTP_URL": "smtp+starttls://u:p@mail:587", "BASE_URL": "https://portal.example/", "MAX_UPLOAD_MB": "200",
    })
    assert settings.database_url == "postgresql+psycopg://db/portal"
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    assert settings.storage_url == "s3://bucket/prefix"
    assert settings.base_url == "https://portal.example" and settings.https
    assert settings.max_upload_mb == 200 and not settings.demo_data


@pytest.mark.parametrize("env", ["test", "production"])
def test_placeholder_secret_refused_outside_dev(env):
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings({"PORTAL_ENV": env})
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings({"PORTAL_ENV": env, "SECRET_KEY": PLACEHOLDER_SECRET})
    with pytest.raises(SettingsError, match="at least 32"):
        load_settings({"PORTAL_ENV": env, "SECRET_KEY": "short"})


@pytest.mark.parametrize("environ, message", [
    ({"PORTAL_ENV": "staging"}, "PORTAL_ENV"),
    ({"BASE_URL": "portal.example"}, "BASE_URL"),
    ({"STORAGE_URL": "ftp://x"}, "STORAGE_URL"),
    ({"SMTP_URL": "mailto:x"}, "SMTP_URL"),
    ({"MAX_UPLOAD_MB": "lots"}, "MAX_UPLOAD_MB"),
])
def test_bad_values_are_explained(environ, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(environ)


def test_storage_inside_public_upload_folder_refused(tmp_path):
    public = tmp_path / "uploaded_files"
    with pytest.raises(SettingsError, match="public upload folder"):
        load_settings({"REFLEX_UPLOADED_FILES_DIR": str(public), "STORAGE_URL": f"file://{public / 'blobs'}"})
