from pathlib import Path

from ops.stack.config import StackConfig
from ops.stack.process import pid_alive, port_open, read_pid


def test_settings_come_from_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIFFIN_STACK_DIR", str(tmp_path))
    monkeypatch.setenv("TIFFIN_PG_PORT", "6001")
    monkeypatch.setenv("TIFFIN_KAFKA_PORT", "6002")
    config = StackConfig.from_env()
    assert config.root == tmp_path
    assert config.postgres_url.endswith("@127.0.0.1:6001/tiffin")
    assert config.kafka_bootstrap == "127.0.0.1:6002"


def test_env_round_trips_through_from_env(monkeypatch, tmp_path: Path) -> None:
    original = StackConfig(root=tmp_path, postgres_port=1, redis_port=2, kafka_port=3, kafka_controller_port=4)
    for key, value in original.env().items():
        monkeypatch.setenv(key, value)
    assert StackConfig.from_env().env() == original.env()


def test_a_missing_or_garbled_pid_file_means_not_running(tmp_path: Path) -> None:
    assert read_pid(tmp_path / "absent.pid") is None
    (tmp_path / "bad.pid").write_text("not-a-pid")
    assert read_pid(tmp_path / "bad.pid") is None
    assert not pid_alive(None)
    assert not pid_alive(2**22 + 12345)


def test_port_open_sees_a_listening_socket() -> None:
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port_open("127.0.0.1", port)
    assert not port_open("127.0.0.1", port)


def test_the_warehouse_folder_can_live_outside_the_stack(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIFFIN_STACK_DIR", str(tmp_path / "stack"))
    monkeypatch.delenv("TIFFIN_WAREHOUSE_DIR", raising=False)
    assert StackConfig.from_env().warehouse_dir == tmp_path / "stack" / "warehouse"
    monkeypatch.setenv("TIFFIN_WAREHOUSE_DIR", str(tmp_path / "wh"))
    assert StackConfig.from_env().warehouse_dir == tmp_path / "wh"
