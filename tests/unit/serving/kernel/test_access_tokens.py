import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from serving.kernel.auth import InvalidToken, Principal, Role, decode_access_token, issue_access_token
from serving.settings import ServingSettings

SETTINGS = ServingSettings.of(jwt_secret="unit-test-secret-" + "x" * 32)


def test_an_issued_token_decodes_to_its_subject_and_role() -> None:
    subject = f"cust-{uuid.uuid4().hex}"
    token = issue_access_token(subject, Role.CUSTOMER, SETTINGS)
    assert decode_access_token(token, SETTINGS) == Principal(subject, Role.CUSTOMER)


def test_an_expired_token_is_invalid() -> None:
    long_ago = datetime.now(UTC) - timedelta(days=1)
    token = issue_access_token("cust-1", "CUSTOMER", SETTINGS, now=long_ago)
    with pytest.raises(InvalidToken):
        decode_access_token(token, SETTINGS)


def test_a_token_signed_with_another_secret_is_invalid() -> None:
    other = ServingSettings.of(jwt_secret="another-secret-" + "y" * 32)
    with pytest.raises(InvalidToken):
        decode_access_token(issue_access_token("cust-1", Role.ADMIN, other), SETTINGS)


def test_an_unsigned_alg_none_token_is_invalid() -> None:
    token = jwt.encode({"sub": "admin", "role": "ADMIN", "exp": 4102444800}, key="", algorithm="none")
    with pytest.raises(InvalidToken):
        decode_access_token(token, SETTINGS)


def test_a_token_with_an_unknown_role_or_without_a_role_is_invalid() -> None:
    exp = datetime.now(UTC) + timedelta(minutes=5)
    for claims in ({"sub": "x", "role": "ROOT", "exp": exp}, {"sub": "x", "exp": exp}):
        token = jwt.encode(claims, SETTINGS.jwt_secret, algorithm="HS256")
        with pytest.raises(InvalidToken):
            decode_access_token(token, SETTINGS)


def test_an_unknown_role_cannot_be_issued() -> None:
    with pytest.raises(ValueError):
        issue_access_token("x", "ROOT", SETTINGS)
