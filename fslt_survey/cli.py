"""The ``fslt-survey`` command line.

Exit codes
----------
0  success
1  unexpected internal error (a bug: please report it with ``--debug`` output)
2  wrong usage (unknown command or option)
3  bad input: a data file, instrument, registry or configuration file was refused
4  rendering failed (a report cell raised, pandoc/Typst/Quarto failed)
130 interrupted (Ctrl-C)

Every refusal is printed as one clear message naming file, row, column, expected and found;
``--debug`` adds the Python traceback.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from fslt_survey import __version__, config
from fslt_survey.errors import RenderError, SurveyDataError

EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_INPUT, EXIT_RENDER, EXIT_INTERRUPT = 0, 1, 2, 3, 4, 130


def _print(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------- commands


def cmd_validate(args: argparse.Namespace) -> int:
    from fslt_survey.codebook import load_instrument

    inst = load_instrument(args.instrument)
    n_items = len(inst.items)
    _print(
        f"{args.instrument}: OK - instrument {inst.id!r}, {len(inst.sections)} sections, "
        f"{n_items} items, {len(inst.scales)} scales, waves {list(inst.waves)}"
    )
    return EXIT_OK


def cmd_clean(args: argparse.Namespace) -> int:
    from fslt_survey.pipeline import clean_survey
    from fslt_survey.store import write_clean

    result = clean_survey(
        args.survey,
        raw=args.raw,
        demo=args.demo,
        registry=args.registry,
        policy="fail" if args.strict else "warn",
    )
    files = write_clean(result, args.out)
    log = result.log
    _print(log.summary("en").rstrip())
    _print(f"Wrote {files.parquet}, {files.csv}, {files.log_json}, {files.log_text}")
    if log.unknown_values or log.out_of_range:
        _print(
            f"warning: {len(log.unknown_values) + len(log.out_of_range)} unknown or "
            f"invalid value(s) set missing; see {files.log_text} (use --strict to refuse)"
        )
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from fslt_survey.render import render_project

    result = render_project(
        config.PROJECT_ROOT,
        engine=args.engine,
        params=_params(args.param),
        only=args.documents or None,
        force=args.force,
        progress=not args.quiet,
    )
    _print(
        f"Rendered {len(result.documents)} document(s) with the {result.engine} engine "
        f"into {result.output_dir}"
    )
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from fslt_survey.build import build

    summary = build(
        engine=args.engine,
        force=args.force,
        progress=not args.quiet,
        out=Path(args.out) if args.out else None,
    )
    _print(summary)
    return EXIT_OK


def cmd_handleplan(args: argparse.Namespace) -> int:
    import datetime as dt

    from fslt_survey.followup import PLAN_FILE, describe_plan, load_plan, write_steering_pdf

    try:
        day = dt.date.fromisoformat(args.dato) if args.dato else dt.date.today()
    except ValueError:
        raise SurveyDataError(
            "--dato must be a date", expected="YYYY-MM-DD", found=args.dato
        ) from None
    plan = load_plan(args.file)
    _print(describe_plan(plan, day))
    if args.pdf and Path(args.file).resolve() != PLAN_FILE.resolve():
        raise SurveyDataError(
            "--pdf renders the project's own plan", expected=str(PLAN_FILE), found=args.file
        )
    if args.pdf:
        pdf = write_steering_pdf(
            config.PROJECT_ROOT, today=day, out_dir=args.out, engine=args.engine, force=True
        )
        _print(f"Wrote {pdf} (internal: never publish it)")
    return EXIT_OK


def _params(values: Sequence[str] | None) -> dict[str, str]:
    params: dict[str, str] = {}
    for v in values or ():
        key, sep, val = v.partition(":")
        if not sep or not key:
            raise SurveyDataError(
                "a parameter must be written key:value", found=v, expected="-P key:value"
            )
        params[key.strip()] = val.strip()
    return params


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fslt-survey",
        description="Survey and network-forum toolkit for Frivilligcenter og Selvhjælp "
        "Lyngby-Taarbæk.",
        epilog="Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 render failed.",
    )
    p.add_argument("--version", action="version", version=f"fslt-survey {__version__}")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    v = sub.add_parser("validate", help="check an instrument (codebook) file")
    v.add_argument("instrument", help="path to instrument.yml")
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("clean", help="read and clean a survey's raw exports")
    c.add_argument("survey", help="survey folder (with instrument.yml) or survey name")
    c.add_argument("--out", default=str(config.CLEAN_DIR), help="output folder")
    c.add_argument(
        "--raw", help="folder with one sub-folder of exports per wave (default: <survey>/raw)"
    )
    c.add_argument("--demo", action="store_true", help="use the bundled fictional demo exports")
    c.add_argument(
        "--registry",
        help="member registry CSV (default: $FSLT_REGISTRY, or the demo registry with --demo)",
    )
    c.add_argument(
        "--strict",
        action="store_true",
        help="refuse unknown answer labels instead of setting them missing",
    )
    c.set_defaults(func=cmd_clean)

    r = sub.add_parser("render", help="render the reports (Quarto if installed, else built-in)")
    r.add_argument("documents", nargs="*", help="only these .qmd files (default: all)")
    r.add_argument("--engine", choices=("auto", "quarto", "builtin"), default="auto")
    r.add_argument(
        "-P",
        "--param",
        action="append",
        metavar="KEY:VALUE",
        help="document parameter (like quarto render -P)",
    )
    r.add_argument("--force", action="store_true", help="re-execute every document")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_render)

    b = sub.add_parser("build", help="the main job: clean the demo data and render the site")
    b.add_argument("--engine", choices=("auto", "quarto", "builtin"), default="auto")
    b.add_argument("--force", action="store_true", help="re-execute every document")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.add_argument("--out", help=argparse.SUPPRESS)
    b.set_defaults(func=cmd_build)

    h = sub.add_parser(
        "handleplan",
        help="check the action plan; --pdf writes the internal board agenda to build/handleplan/",
    )
    h.add_argument("file", nargs="?", default=str(config.SURVEYS_DIR / "handleplan.yml"))
    h.add_argument("--dato", help="status as of this date (YYYY-MM-DD; default today)")
    h.add_argument("--pdf", action="store_true", help="render build/handleplan/styregruppe.pdf")
    h.add_argument("--out", help="folder for the PDF (default build/handleplan)")
    h.add_argument("--engine", choices=("auto", "quarto", "builtin"), default="auto")
    h.set_defaults(func=cmd_handleplan)

    _register_extra(sub)
    return p


def _register_extra(sub: argparse._SubParsersAction) -> None:
    """Commands contributed by other modules (forms, network, feedback)."""
    import importlib

    for module in ("fslt_survey.forms", "fslt_survey.network", "fslt_survey.followup"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        register: Callable[[argparse._SubParsersAction], None] | None = getattr(
            mod, "register_cli", None
        )
        if register is not None:
            register(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except RenderError as exc:
        _err(exc, args)
        return EXIT_RENDER
    except SurveyDataError as exc:
        _err(exc, args)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("fslt-survey: interrupted", file=sys.stderr)
        return EXIT_INTERRUPT
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(
            f"fslt-survey: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug. Run again with --debug and report the output.",
            file=sys.stderr,
        )
        return EXIT_BUG


def _err(exc: Exception, args: argparse.Namespace) -> None:
    if args.debug:
        traceback.print_exc()
    print(f"fslt-survey: error: {exc}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
