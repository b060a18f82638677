"""No public JWT secret: each stack folder keeps a random one that the CLI passes on,
the repository's old default is refused everywhere, and without a secret nothing signs
or serves."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from ops.cli import main as tiffin
from ops.stack.config import StackConfig
from serving.app import create_app
from serving.kernel.auth import MissingJwtSecret, issue_access_token
from serving.kernel.settings import DEV_JWT_SECRET
from serving.settings import ServingSettings
from tests.utils.stack import TEST_STACK


def test_each_stack_folder_gets_its_own_random_secret_readable_only_by_its_owner(tmp_path: Path) -> None:
    first, second = StackConfig(root=tmp_path / "one"), StackConfig(root=tmp_path / "two")

    secret = first.jwt_secret()

    assert len(secret) >= 32 and secret != DEV_JWT_SECRET
    assert first.jwt_secret() == secret  # kept, not regenerated
    assert first.jwt_secret_path.read_text().strip() == secret
    assert stat.S_IMODE(first.jwt_secret_path.stat().st_mode) == 0o600
    assert second.jwt_secret() != secret
    assert first.env()["TIFFIN_JWT_SECRET"] == secret  # what the CLI passes to everything it starts


def test_tiffin_token_signs_with_the_stack_secret(tmp_path: Path) -> None:
    config = StackConfig(root=tmp_path / "stack")
    result = CliRunner().invoke(tiffin, ["token", "cust-1"], env={"TIFFIN_STACK_DIR": str(config.root)})

    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), config.jwt_secret(), algorithms=["HS256"])
    assert (claims["sub"], claims["role"]) == ("cust-1", "CUSTOMER")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(result.output.strip(), DEV_JWT_SECRET, algorithms=["HS256"])


def test_the_tests_sign_with_the_test_stacks_own_secret() -> None:
    assert ServingSettings().jwt_secret == TEST_STACK.jwt_secret() == TEST_STACK.env()["TIFFIN_JWT_SECRET"]


@pytest.mark.parametrize("environment", ["local", "staging", "prod"])
def test_the_secret_this_repository_once_shipped_is_refused_everywhere(environment: str) -> None:
    with pytest.raises(ValidationError, match="TIFFIN_JWT_SECRET is the public development secret"):
        ServingSettings.of(environment=environment, jwt_secret=DEV_JWT_SECRET)


def test_without_a_secret_local_tools_still_read_settings_but_nothing_signs_or_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TIFFIN_JWT_SECRET", raising=False)
    settings = ServingSettings()  # migrations, seeds and operator commands need no secret
    assert settings.jwt_secret is None

    with pytest.raises(MissingJwtSecret, match="TIFFIN_JWT_SECRET"):
        issue_access_token("cust-1", "CUSTOMER", settings)
    with pytest.raises(MissingJwtSecret, match="TIFFIN_JWT_SECRET"):
        create_app(settings)
    with pytest.raises(ValidationError, match="TIFFIN_JWT_SECRET is not set"):
        ServingSettings.of(environment="prod")
