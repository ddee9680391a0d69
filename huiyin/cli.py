"""The `huiyin` command: serve, worker, migrate, demo, assist, backup, restore — and every Django command.

    huiyin serve [--bind 127.0.0.1:8000] [--workers 2] [--no-migrate]
    huiyin worker [--sweep-every 60]
    huiyin migrate
    huiyin demo [--cases 400] [--seed 1] [--reset]
    huiyin assist …              (huiyin.assist.cli)
    huiyin backup FILE           (one archive: database — SQLite online backup / pg_dump -Fc — and media)
    huiyin restore FILE [--yes]  (checks the archive, then puts back the database and the media)
    huiyin <any manage.py command> …

See docs/operations.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

USAGE = __doc__ or ""


def _django(argv: Sequence[str]) -> int:
    """Run a Django management command in this process (what `python manage.py …` would do)."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["huiyin", *argv])
    return 0


def _setup() -> None:
    import django

    django.setup()


def serve(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="huiyin serve", description="Run the web server (gunicorn).")
    parser.add_argument("--bind", default=os.environ.get("HUIYIN_BIND", "127.0.0.1:8000"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("HUIYIN_WEB_WORKERS", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("HUIYIN_WEB_THREADS", "1")))
    parser.add_argument("--timeout", type=int, default=60)
    parser.add_argument("--no-migrate", action="store_true", help="skip migrate and collectstatic")
    parser.add_argument("--access-log", action="store_true", help="log each request to stdout")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.threads < 1:
        parser.error("--workers and --threads must be at least 1")
    if not args.no_migrate:
        _django(["migrate", "--noinput", "-v", "0"])
        _django(["collectstatic", "--noinput", "-v", "0"])
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "huiyin.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--timeout",
        str(args.timeout),
        "--graceful-timeout",
        "10",
        "--worker-tmp-dir",
        "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",
        # gunicorn 27's control socket defaults to ~/.gunicorn/gunicorn.ctl: two servers on one
        # machine would fight over it, and a service account may have no writable home.
        "--no-control-socket",
    ]
    if args.access_log:
        command += ["--access-logfile", "-"]
    sys.stdout.flush()
    # exec: gunicorn becomes this process, so Ctrl-C and service managers signal it directly.
    os.execv(sys.executable, command)
    return 0  # pragma: no cover - execv does not return


def assist(argv: Sequence[str]) -> int:
    _setup()
    try:
        from huiyin.assist.cli import main as assist_main
    except ImportError as exc:
        print(f"huiyin assist 不可用：{exc}", file=sys.stderr)
        return 2
    return int(assist_main(list(argv)) or 0)


COMMANDS = {
    "worker": "run_worker",
    "demo": "demo_data",
    "backup": "backup_db",
    "restore": "restore_db",
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    name, rest = argv[0], argv[1:]
    if name == "serve":
        return serve(rest)
    if name == "assist":
        return assist(rest)
    if name == "demo":
        _django(["migrate", "--noinput", "-v", "0"])
    return _django([COMMANDS.get(name, name), *rest])


if __name__ == "__main__":
    sys.exit(main())
