"""The `fairclaim` command: one entry point with a verb per job.

Product verbs (serve, worker, demo, manage) live here and start Django. Library verbs (match, scan,
evidence, rules) belong to their packages: each `fairclaim.<package>.cli` module offers
`register(subparsers)`, adding its parser with `set_defaults(func=...)`; `func(args)` returns the
exit code. Those modules import heavy libraries inside `func`, so `fairclaim --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import subprocess
import sys

PLUGIN_VERBS = (
    "fairclaim.matching.cli",
    "fairclaim.discovery.cli",
    "fairclaim.evidence.cli",
    "fairclaim.rules.cli",
)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairclaim.settings")
    import django

    django.setup()


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairclaim.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fairclaim manage", *args.rest])
    return 0


SERVE_THREADS = 8  # request threads per web process: many slow clients, little CPU each


def cmd_serve(args: argparse.Namespace) -> int:
    import tempfile

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairclaim.settings")
    # gthread workers: an idle keep-alive connection waits in the worker's poller instead of
    # holding the whole worker (sync workers were starved by them: 30 s stalls under load).
    # No control socket: a second instance on the host would replace and delete it.
    argv = [
        sys.executable, "-m", "gunicorn", "fairclaim.wsgi:application",
        "--bind", f"{args.host}:{args.port}",
        "--workers", str(args.workers),
        "--worker-class", "gthread",
        "--threads", str(getattr(args, "threads", SERVE_THREADS)),
        "--keep-alive", "5",
        "--no-control-socket",
        "--access-logfile", "-",
        "--forwarded-allow-ips", "127.0.0.1",
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="fairclaim-metrics-") as metrics_dir:
        # Each web process writes its request metrics here; /metrics adds them up.
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
        server = subprocess.Popen(argv, env=env)
        # Stopping `fairclaim serve` (a supervisor's SIGTERM, Ctrl-C) stops gunicorn with it.
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, lambda number, _frame: server.send_signal(number))
        return server.wait()


def cmd_worker(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    # Never reload on code changes: a reload can stop a task half-way (a notice half-sent).
    options = ["--no-startup-delay", "--no-reload", "--interval", str(args.interval)]
    if args.batch:
        options.append("--batch")
    call_command("db_worker", *options)
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("run_scheduler", *(["--once"] if args.once else []), interval=args.interval)
    return 0


def start_demo_web() -> list:
    """Serve the demo sites and let the demo photographer watch them (needs the demo photos)."""
    from django.conf import settings
    from django.utils import timezone

    from fairclaim.ops.demo import demo_web_photos, watch_demo_web
    from fairclaim.ops.demo_web import build_sites, serve_sites

    photos = demo_web_photos(settings.FAIRCLAIM_DEMO_PHOTOS)
    if len(photos) < 6:
        return []
    sites = build_sites(photos)
    try:
        servers = serve_sites(sites)
    except OSError as exc:
        print(f"Demo web not started ({exc}); the registry works without it.", flush=True)
        return []
    watch_demo_web({name: site.base for name, site in sites.items()}, timezone.now())
    for name, site in sites.items():
        print(f"  demo site {name:10} {site.base}/", flush=True)
    return servers


DEMO_SMTP_PORT = 8025


def start_demo_mail():
    """A local SMTP server for the demo: notices really go out over SMTP and land in
    var/demo-mail (one .eml file each); case managers read them under Notices."""
    from aiosmtpd.controller import Controller
    from django.conf import settings

    folder = settings.DATA_DIR / "demo-mail"
    folder.mkdir(parents=True, exist_ok=True)

    class Keep:
        async def handle_DATA(self, server, session, envelope):
            name = f"{len(list(folder.iterdir())) + 1:05d}.eml"
            (folder / name).write_bytes(envelope.content)
            return "250 Message accepted"

    try:
        # EMAIL_PORT (set by cmd_demo, or by whoever runs a second demo on this machine).
        port = int(os.environ.get("EMAIL_PORT", DEMO_SMTP_PORT))
        controller = Controller(Keep(), hostname="127.0.0.1", port=port)
        controller.start()
    except OSError as exc:
        print(f"Demo mail server not started ({exc}); notices stay queued.", flush=True)
        return None
    print(f"  demo SMTP      127.0.0.1:{port} -> {folder}", flush=True)
    return controller


def cmd_demo(args: argparse.Namespace) -> int:
    # The demo web lives on loopback; its scans (here, in the worker) must be allowed to reach it.
    os.environ["FAIRCLAIM_ALLOW_LOOPBACK"] = "1"
    # Every link the demo sends (notices, QR codes, reminders) must open this very server; the
    # worker and scheduler inherit it. An explicit FAIRCLAIM_PUBLIC_URL (a proxy in front) wins.
    from fairclaim.links import demo_public_url

    os.environ.setdefault("FAIRCLAIM_PUBLIC_URL", demo_public_url(args.host, args.port))
    # Notices go to the demo's own SMTP server (started below), also from the worker process.
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    os.environ.setdefault("EMAIL_HOST", "127.0.0.1")
    os.environ.setdefault("EMAIL_PORT", str(DEMO_SMTP_PORT))
    setup_django()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    call_command("load_demo", verbosity=0)
    if os.environ.get("FAIRCLAIM_DEMO_HISTORY", "1") != "0":
        # Months of matches, cases, payments and a payout run for the dashboard and statements.
        from django.utils import timezone

        from fairclaim.dashboard.history import seed_demo

        seed_demo(timezone.now())
    from fairclaim.ops.demo import demo_totp_secret

    servers = start_demo_web()
    mail = start_demo_mail()
    children = [
        subprocess.Popen([sys.executable, "-m", "fairclaim.cli", "worker"]),
        subprocess.Popen([sys.executable, "-m", "fairclaim.cli", "scheduler"]),
    ]
    print(
        f"\nfairclaim demo is running at {os.environ['FAIRCLAIM_PUBLIC_URL']}/\n"
        "  rights holder:  demo-photographer / demo-photographer-pass\n"
        "  other holder:   demo-agency / demo-agency-pass\n"
        "  case manager:   demo-manager / demo-manager-pass   (also /admin/)\n"
        "  law firm:       demo-lawfirm / demo-lawfirm-pass\n"
        f"  second step (case manager, law firm): authenticator key {demo_totp_secret()}\n"
        "Stop with Ctrl-C.\n",
        flush=True,
    )
    try:
        return cmd_serve(args)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=10)
        for server in servers:
            server.shutdown()
        if mail is not None:
            mail.stop()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fairclaim",
        description="Find unlicensed uses of photographs and resolve each case fairly.",
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    serve = verbs.add_parser("serve", help="serve the web app (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2, help="web worker processes")
    serve.add_argument(
        "--threads", type=int, default=SERVE_THREADS, help="request threads per process"
    )
    serve.set_defaults(func=cmd_serve)

    worker = verbs.add_parser(
        "worker", help="run background tasks (fingerprinting, captures, notices) from the queue"
    )
    worker.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    worker.set_defaults(func=cmd_worker)

    scheduler = verbs.add_parser(
        "scheduler", help="queue scheduled work (watch-list re-scans) as it falls due"
    )
    scheduler.add_argument("--once", action="store_true", help="one pass, then exit")
    scheduler.add_argument("--interval", type=float, default=30.0, help="seconds between passes")
    scheduler.set_defaults(func=cmd_scheduler)

    demo = verbs.add_parser(
        "demo", help="migrate, load demo data, start a worker and serve on embedded defaults"
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--workers", type=int, default=2, help="web worker processes")
    demo.add_argument("--threads", type=int, default=8, help="request threads per process")
    demo.set_defaults(func=cmd_demo)

    manage = verbs.add_parser(
        "manage", help="run a Django management command (migrate, createsuperuser, check, ...)"
    )
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    for module_name in PLUGIN_VERBS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # that package has no verbs yet
        module.register(verbs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
