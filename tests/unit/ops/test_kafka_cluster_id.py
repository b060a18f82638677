import base64
from collections.abc import Iterator

from ops.stack.kafka import new_cluster_id


def test_a_cluster_id_never_starts_with_a_dash_which_storage_tool_reads_as_an_option() -> None:
    # 0xF8 encodes to '-' first in URL-safe base64: the draw that used to break `format`.
    draws: Iterator[bytes] = iter([b"\xf8" + bytes(15), b"\x01" * 16])
    cluster_id = new_cluster_id(lambda: next(draws))
    assert cluster_id == base64.urlsafe_b64encode(b"\x01" * 16).decode().rstrip("=")


def test_a_cluster_id_is_22_url_safe_characters() -> None:
    cluster_id = new_cluster_id()
    assert len(cluster_id) == 22
    assert set(cluster_id) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
