import statistics
import time

from serving.identity.domain.passwords import hash_password, needs_rehash, verify_password


def test_a_hash_is_argon2id_salted_and_never_contains_the_password() -> None:
    first, second = hash_password("s3cret-passphrase"), hash_password("s3cret-passphrase")
    assert first.startswith("$argon2id$") and "s3cret" not in first
    assert first != second  # a fresh salt each time
    assert not needs_rehash(first)


def test_only_the_right_password_verifies() -> None:
    stored = hash_password("s3cret-passphrase")
    assert verify_password(stored, "s3cret-passphrase")
    assert not verify_password(stored, "s3cret-passphrasE")
    assert not verify_password(stored, "")


def test_an_unknown_user_never_verifies_and_a_broken_hash_is_just_a_mismatch() -> None:
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_an_unknown_user_costs_about_as_much_as_a_wrong_password() -> None:
    stored = hash_password("s3cret-passphrase")

    def median_seconds(stored_hash: str | None) -> float:
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            verify_password(stored_hash, "wrong-password")
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    unknown, wrong = median_seconds(None), median_seconds(stored)
    # Both run one full Argon2 verification; a shortcut would be orders of magnitude faster.
    assert 0.5 < unknown / wrong < 2
