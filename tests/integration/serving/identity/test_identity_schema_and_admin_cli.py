import uuid

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from serving.kernel.db import create_engine
from tests.utils.people import PASSWORD, unique_email
from tests.utils.processes import run_module

pytestmark = pytest.mark.stack


def test_create_admin_makes_an_admin_who_can_log_in_and_read_any_user(database_url: str, client: TestClient) -> None:
    email = unique_email("ops")
    result = run_module(
        "serving.identity",
        "create-admin",
        "--email",
        email,
        "--password-stdin",
        "--database-url",
        database_url,
        input=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    admin_id = str(uuid.UUID(result.stdout.strip()))

    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    me = client.get(f"/api/v1/users/{admin_id}", headers=headers)
    assert me.status_code == 200 and me.json()["role"] == "ADMIN"

    again = run_module(
        "serving.identity",
        "create-admin",
        "--email",
        email.upper(),
        "--password",
        PASSWORD,
        "--database-url",
        database_url,
    )
    assert again.returncode == 1 and "email" in again.stderr


def test_passwords_are_stored_as_argon2id_hashes_never_in_clear(database_url: str, client: TestClient) -> None:
    email = unique_email()
    body = {"email": email, "password": PASSWORD, "name": "Hash Check"}
    assert client.post("/api/v1/auth/register", json=body).status_code == 201
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                sa.text("SELECT password_hash FROM identity.users WHERE email = :e"), {"e": email.lower()}
            ).scalar_one()
    finally:
        engine.dispose()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
