"""Settings: defaults, environment overrides, CLI overrides."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from saferkg.cli import main
from saferkg.settings import Settings


def test_defaults_then_environment_then_overrides() -> None:
    env = {"SAFERKG_DATA": "/srv/kg", "SAFERKG_DELAY": "2.5", "SAFERKG_PORT": "8080"}
    s = Settings.from_env(env)
    assert s.data_dir == Path("/srv/kg") and s.delay == 2.5 and s.port == 8080
    s = Settings.from_env(env, data_dir=Path("elsewhere"), port=None)
    assert s.data_dir == Path("elsewhere") and s.port == 8080
    assert Settings.from_env({}).data_dir == Path("data")


def test_settings_command_lists_every_setting(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "settings", "--json"])
    assert result.exit_code == 0, result.output
    import json

    rows = {r["name"]: r for r in json.loads(result.output)["settings"]}
    assert rows["data_dir"]["value"] == str(tmp_path)
    assert set(rows) == {n for n, _, _ in Settings.describe()}
