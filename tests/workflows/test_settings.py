"""The database settings read from the environment."""
from webapp import settings


def test_a_sqlite_database_url_opens_that_file_without_a_pool(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite3")
    database = settings._database()
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert "pool" not in database.get("OPTIONS", {})


def test_a_postgresql_database_url_is_pooled_up_to_db_pool_max_size(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("DB_POOL_MAX_SIZE", "3")
    pool = settings._database()["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"]) == (1, 3)


def test_db_pool_max_size_zero_turns_the_pool_off(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("DB_POOL_MAX_SIZE", "0")
    assert "pool" not in settings._database().get("OPTIONS", {})


def test_a_sockets_wait_on_redis_ends_before_its_read_gives_up(monkeypatch):
    from channels_redis.core import RedisChannelLayer

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    layer = settings._channel_layers()["default"]
    assert layer["CONFIG"]["hosts"][0]["socket_timeout"] > RedisChannelLayer.brpop_timeout + 5
