from datetime import UTC, datetime, timedelta

from serving.kernel.clock import utc_now


def test_utc_now_is_timezone_aware_utc_and_now() -> None:
    before = datetime.now(UTC)
    now = utc_now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)
