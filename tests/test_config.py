"""Settings: every problem named at once, in words an operator can act on."""
import pytest

from config import SettingsError, load_settings, require_slack


def test_defaults_need_nothing():
    settings = load_settings({})
    assert (settings.api_url, settings.database_url, settings.port) == (
        "https://slack.com/api/", "sqlite:///tat.db", 3000)
    assert not settings.has_slack_credentials and settings.admins == frozenset()


def test_every_malformed_setting_is_named_in_one_message():
    with pytest.raises(SettingsError) as raised:
        load_settings({"SLACK_BOT_TOKEN": "xoxp-user", "PORT": "eighty", "TAT_ADMINS": "U123ABC, alex",
                       "DATABASE_URL": "mysql://x", "SLACK_API_URL": "slack.com"})
    named = " ".join(raised.value.problems)
    for setting in ("SLACK_BOT_TOKEN", "PORT", "TAT_ADMINS", "DATABASE_URL", "SLACK_API_URL"):
        assert setting in named
    assert len(raised.value.problems) == 5 and "alex" in named


def test_http_mode_needs_the_token_and_the_signing_secret():
    with pytest.raises(SettingsError) as raised:
        require_slack(load_settings({"PORT": "8080"}))
    assert [p.split()[0] for p in raised.value.problems] == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]


def test_socket_mode_needs_no_signing_secret():
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    require_slack(settings)
    assert settings.socket_mode


@pytest.mark.parametrize("url", ["postgres://u:p@db/tat", "postgresql://u@db/tat", "sqlite:////var/tat.db"])
def test_database_urls_of_both_kinds_are_accepted(url):
    assert load_settings({"DATABASE_URL": url}).database_url == url


def test_admins_and_api_url_are_normalised():
    settings = load_settings({"TAT_ADMINS": " U012AB , W034CD,", "SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert settings.admins == {"U012AB", "W034CD"} and settings.api_url == "http://127.0.0.1:9/api/"


def test_the_database_wait_is_a_minute_unless_set_in_whole_seconds():
    assert load_settings({}).database_wait_seconds == 60
    assert load_settings({"DATABASE_WAIT_SECONDS": "5"}).database_wait_seconds == 5
    with pytest.raises(SettingsError) as bad:
        load_settings({"DATABASE_WAIT_SECONDS": "a while"})
    assert "DATABASE_WAIT_SECONDS" in str(bad.value)


def test_host_and_log_format_have_defaults_and_are_checked():
    settings = load_settings({})
    assert (settings.host, settings.log_format) == ("0.0.0.0", "text")
    settings = load_settings({"HOST": "127.0.0.1", "LOG_FORMAT": "JSON"})
    assert (settings.host, settings.log_format) == ("127.0.0.1", "json")
    with pytest.raises(SettingsError) as bad:
        load_settings({"HOST": "every interface", "LOG_FORMAT": "xml"})
    assert [p.split()[0] for p in bad.value.problems] == ["HOST", "LOG_FORMAT"]


@pytest.mark.parametrize("url, hint", [
    ("postgresql://::::", "cannot be read"),
    ("postgresql://tat:s3cr@tpass@db/tat", "%40"),
    ("mysql://tat:s3cretpass@db/tat", "mysql://tat:***@db/tat"),
])
def test_a_malformed_database_url_is_named_with_a_hint_and_never_its_password(url, hint):
    with pytest.raises(SettingsError) as bad:
        load_settings({"DATABASE_URL": url})
    said = str(bad.value)
    assert "DATABASE_URL" in said and hint in said and "s3cr" not in said
