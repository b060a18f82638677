import uuid
from datetime import UTC, datetime, timedelta

from serving.identity.domain.accounts import normalize_email
from serving.identity.domain.refresh_tokens import (
    RefreshVerdict,
    StoredRefreshToken,
    hash_refresh_token,
    judge_refresh,
    new_refresh_token,
)

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def _stored(**changes: object) -> StoredRefreshToken:
    fields: dict[str, object] = {
        "token_hash": hash_refresh_token("t"),
        "family_id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "expires_at": NOW + timedelta(days=1),
        "used_at": None,
        "revoked_at": None,
    }
    fields.update(changes)
    return StoredRefreshToken(**fields)  # type: ignore[arg-type]


def test_a_fresh_unexpired_token_rotates() -> None:
    assert judge_refresh(_stored(), NOW) is RefreshVerdict.ROTATE


def test_a_token_already_spent_is_a_reuse_that_revokes_the_family() -> None:
    assert judge_refresh(_stored(used_at=NOW - timedelta(minutes=1)), NOW) is RefreshVerdict.REUSED


def test_unknown_expired_and_revoked_tokens_are_rejected_without_touching_the_family() -> None:
    assert judge_refresh(None, NOW) is RefreshVerdict.REJECT
    assert judge_refresh(_stored(expires_at=NOW), NOW) is RefreshVerdict.REJECT
    assert judge_refresh(_stored(revoked_at=NOW), NOW) is RefreshVerdict.REJECT
    # A revoked family stays revoked: replaying its spent tokens changes nothing more.
    assert judge_refresh(_stored(revoked_at=NOW, used_at=NOW), NOW) is RefreshVerdict.REJECT


def test_a_spent_token_is_a_reuse_even_after_it_expired() -> None:
    spent_and_expired = _stored(used_at=NOW - timedelta(days=2), expires_at=NOW - timedelta(days=1))
    assert judge_refresh(spent_and_expired, NOW) is RefreshVerdict.REUSED


def test_refresh_tokens_are_random_and_stored_only_as_their_sha256() -> None:
    tokens = {new_refresh_token() for _ in range(1000)}
    assert len(tokens) == 1000 and all(len(t) >= 43 for t in tokens)
    token = next(iter(tokens))
    assert hash_refresh_token(token) == hash_refresh_token(token)
    assert len(hash_refresh_token(token)) == 64 and token not in hash_refresh_token(token)


def test_emails_compare_case_insensitively() -> None:
    assert normalize_email("  Asha.Rao@Example.COM ") == "asha.rao@example.com"
