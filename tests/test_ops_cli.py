"""The `huiyin` console script: its own subcommands and the pass-through to Django's commands."""

from __future__ import annotations

import sys

import pytest

from huiyin import cli


def test_help_lists_the_subcommands(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("serve", "worker", "migrate", "demo", "assist", "backup", "restore"):
        assert f"huiyin {name}" in out


def test_serve_execs_gunicorn_on_loopback_by_default(monkeypatch):
    # given exec is intercepted
    calls = []
    monkeypatch.setattr(cli.os, "execv", lambda path, args: calls.append(args))
    monkeypatch.delenv("HUIYIN_BIND", raising=False)
    # when serve runs without migrating
    cli.main(["serve", "--no-migrate", "--workers", "3"])
    # then gunicorn serves the WSGI app on 127.0.0.1:8000 with 3 workers
    (args,) = calls
    assert args[:4] == [sys.executable, "-m", "gunicorn", "huiyin.wsgi:application"]
    assert args[args.index("--bind") + 1] == "127.0.0.1:8000"
    assert args[args.index("--workers") + 1] == "3"
    assert "--no-control-socket" in args


def test_serve_migrates_and_collects_static_first(monkeypatch):
    ran = []
    monkeypatch.setattr(cli, "_django", lambda argv: ran.append(argv[0]) or 0)
    monkeypatch.setattr(cli.os, "execv", lambda path, args: None)
    cli.main(["serve"])
    assert ran == ["migrate", "collectstatic"]


def test_other_names_go_to_djangos_commands(monkeypatch):
    ran = []
    monkeypatch.setattr(cli, "_django", lambda argv: ran.append(list(argv)) or 0)
    cli.main(["worker", "--sweep-every", "30"])
    cli.main(["showmigrations", "cases"])
    cli.main(["backup", "/tmp/x.sqlite3"])
    assert ran == [
        ["run_worker", "--sweep-every", "30"],
        ["showmigrations", "cases"],
        ["backup_db", "/tmp/x.sqlite3"],
    ]


def test_serve_rejects_zero_workers():
    with pytest.raises(SystemExit):
        cli.main(["serve", "--no-migrate", "--workers", "0"])
