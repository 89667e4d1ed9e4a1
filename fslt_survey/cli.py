"""The ``fslt-survey`` command line: every command, in this one module.

Each ``cmd_*`` function parses nothing and computes nothing of its own: it calls the library and
prints what happened. New commands go here (a ``cmd_*`` function and its parser in
:func:`build_parser`).

Exit codes (every refusal is one message naming file, row, column, expected and found;
``--debug`` adds the Python traceback):

0  success
1  unexpected internal error (a bug: please report it with ``--debug`` output)
2  wrong usage (unknown command or option, outside a project)
3  bad input: a data file, instrument, registry or configuration file was refused
4  rendering failed (a report cell raised, pandoc/Typst/Quarto failed)
130 interrupted (Ctrl-C)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from fslt_survey import __version__, config
from fslt_survey.build import build
from fslt_survey.codebook import load_instrument
from fslt_survey.config import ProjectNotFound
from fslt_survey.errors import RenderError, SurveyDataError
from fslt_survey.followup import (
    describe_plan,
    indicators_file,
    load_indicators,
    load_plan,
    plan_file,
    published_indicators,
    write_steering_pdf,
)
from fslt_survey.followup.feedback import default_jobs, feedback_dir, render_feedback
from fslt_survey.forms import FORMATS, export_form, form_layout
from fslt_survey.network import MEMBER_SURVEY, check_network, member_instrument, render_handouts
from fslt_survey.network.groups import GroupSettings, propose_groups
from fslt_survey.pipeline import clean_survey, clean_to_disk
from fslt_survey.privacy import write_csv_safe
from fslt_survey.project import demo_mode, is_confidential
from fslt_survey.publish.explain import explain_finding
from fslt_survey.registry import load_registry
from fslt_survey.render import ENGINES, render_project
from fslt_survey.render.errors import RenderError as EngineRenderError
from fslt_survey.store import instrument_path, load_clean


class UsageError(Exception):
    """Wrong usage of a command (exit 2)."""


EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_INPUT, EXIT_RENDER, EXIT_INTERRUPT = 0, 1, 2, 3, 4, 130


def _print(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------- data commands


def cmd_validate(args: argparse.Namespace) -> int:
    path = instrument_path(args.instrument)
    inst = load_instrument(path)
    _print(
        f"{path}: OK - instrument {inst.id!r}, {len(inst.sections)} sections, "
        f"{len(inst.items)} items, {len(inst.scales)} scales, waves {list(inst.waves)}"
    )
    return EXIT_OK


def cmd_clean(args: argparse.Namespace) -> int:
    demo = args.demo or (args.raw is None and demo_mode())
    result, files = clean_to_disk(
        args.survey,
        raw=args.raw,
        demo=demo,
        registry=args.registry,
        policy="fail" if args.strict else "warn",
        out=args.out,
    )
    log = result.log
    _print(f"Data: {'DEMO (the bundled fictional demo exports)' if demo else 'real exports'}")
    _print(log.summary("en").rstrip())
    _print(f"Wrote {files.parquet}, {files.csv}, {files.log_json}, {files.log_text}")
    if log.unknown_values or log.out_of_range:
        _print(
            f"warning: {len(log.unknown_values) + len(log.out_of_range)} unknown or "
            f"invalid value(s) set missing; see {files.log_text} (use --strict to refuse)"
        )
    return EXIT_OK


# --------------------------------------------------------------------------- publishing


def cmd_render(args: argparse.Namespace) -> int:
    root = config.project_root()
    documents = []  # relative to the working directory, as for quarto render
    for doc in args.documents or ():
        path = (Path(doc) if Path(doc).is_absolute() else Path.cwd() / doc).resolve()
        documents.append(str(path))
        if not path.is_file():
            raise UsageError(f"no such document: {doc}")
        if is_confidential(path):
            raise UsageError(
                f"{doc} is confidential and is never rendered into the site; use "
                "`fslt-survey feedback` or `fslt-survey handouts`, which write to build/"
            )
    result = render_project(
        root,
        engine=args.engine,
        params=_params(args.param),
        only=documents or None,
        force=args.force,
        progress=not args.quiet,
    )
    _print(
        f"Rendered {len(result.documents)} document(s) with the {result.engine} engine "
        f"into {result.output_dir}"
    )
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    summary = build(
        demo=True if args.demo else None,
        strict=args.strict,
        registry=args.registry,
        engine=args.engine,
        force=args.force,
        progress=not args.quiet,
        out=Path(args.out) if args.out else None,
    )
    _print(summary)
    return EXIT_OK


def cmd_export_form(args: argparse.Namespace) -> int:
    instrument = load_instrument(instrument_path(args.instrument))
    registry = None
    if args.registry is not None and args.to == "xlsform":
        registry = load_registry(args.registry)
    path = export_form(instrument, args.to, args.out, wave=args.wave, registry=registry)
    layout = form_layout(instrument, args.wave)
    wave = f"wave {layout.wave}" if layout.wave is not None else "all items"
    _print(
        f"Wrote {path} ({args.to}: {instrument.id!r}, {wave}, {len(layout.items)} items, "
        f"version {layout.version})"
    )
    if args.registry is not None and args.to != "xlsform":
        _print("note: --registry only applies to --to xlsform; ignored")
    return EXIT_OK


# --------------------------------------------------------------------------- network forums


def cmd_network(args: argparse.Namespace) -> int:
    for line in check_network():
        _print(line)
    return EXIT_OK


def cmd_groups(args: argparse.Namespace) -> int:
    data = clean_survey(MEMBER_SURVEY, demo=True).data if args.demo else load_clean(MEMBER_SURVEY)
    settings = GroupSettings(args.min_size, args.max_size, args.max_groups, args.max_per_theme)
    proposal = propose_groups(data, member_instrument(), load_registry(), settings=settings)
    _print(proposal.describe())
    if args.out:
        _print(f"Wrote {write_csv_safe(proposal.members_frame(), args.out)}")
    return EXIT_OK


def cmd_handouts(args: argparse.Namespace) -> int:
    written = render_handouts(args.tema, out=args.out, engine=args.engine, force=args.force)
    for theme, files in written.items():
        _print(f"{theme}: " + ", ".join(str(p) for p in files))
    folder = next((fs[0].parent for fs in written.values() if fs), args.out)
    _print(f"Rendered {len(written)} handout(s) into {folder}")
    return EXIT_OK


# --------------------------------------------------------------------------- strategy follow-up


def cmd_indicators(args: argparse.Namespace) -> int:
    file = args.file or indicators_file()
    iset = load_indicators(file)
    _print(
        f"{file}: OK - {len(iset)} indicators for {iset.survey} "
        f"({iset.baseline} -> {iset.followup})"
    )
    for goal, name in config.GOALS.items():
        ids = [i.id for i in iset if i.goal == goal]
        _print(f"  goal {goal} ({name}): {', '.join(ids) or '-'}")
    if args.compute:
        pub = published_indicators(iset)  # as the page publishes them (the findings)
        cols = ["indicator", "value_from", "value_to", "change", "p_adj", "target_met"]
        _print(pub[cols].round(1).to_string(index=False))
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    _print(explain_finding(args.finding))  # internal: response ids and raw file rows
    return EXIT_OK


def cmd_feedback(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    paths = render_feedback(
        args.forening,
        out=args.out,
        engine=args.engine,
        force=args.force,
        jobs=args.jobs,
        echo=_print,
    )
    where = paths[0].parent if paths else (args.out or feedback_dir())
    _print(
        f"Rendered {len(paths)} feedback sheet(s) into {where} in {time.perf_counter() - t0:.0f} s"
    )
    return EXIT_OK


def cmd_handleplan(args: argparse.Namespace) -> int:
    try:
        day = dt.date.fromisoformat(args.dato) if args.dato else dt.date.today()
    except ValueError:
        raise SurveyDataError(
            "--dato must be a date", expected="YYYY-MM-DD", found=args.dato
        ) from None
    file = Path(args.file) if args.file else plan_file()
    plan = load_plan(file)
    _print(describe_plan(plan, day))
    if args.pdf and file.resolve() != plan_file().resolve():
        raise SurveyDataError(
            "--pdf renders the project's own plan", expected=str(plan_file()), found=str(file)
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
        if not sep or not key.strip():
            raise UsageError(f"a parameter must be written -P key:value, found {v!r}")
        params[key.strip()] = val.strip()
    return params


# --------------------------------------------------------------------------- parser


def _render_options(p: argparse.ArgumentParser, *, quiet: bool = True) -> None:
    p.add_argument("--engine", choices=ENGINES, default="auto")
    p.add_argument("--force", action="store_true", help="re-execute every document")
    if quiet:
        p.add_argument("--quiet", action="store_true", help="no progress bar")


def _data_parsers(sub: argparse._SubParsersAction) -> None:
    v = sub.add_parser("validate", help="check an instrument (codebook) file")
    v.add_argument(
        "instrument", help="instrument.yml, a survey folder or a survey name (like clean)"
    )
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("clean", help="read and clean a survey's raw exports")
    c.add_argument("survey", help="survey folder (with instrument.yml) or survey name")
    c.add_argument("--out", default=None, help="output folder (default build/clean)")
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


def _publishing_parsers(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("render", help="render the reports (Quarto if installed, else built-in)")
    r.add_argument("documents", nargs="*", help="only these .qmd files (default: all)")
    r.add_argument(
        "-P",
        "--param",
        action="append",
        metavar="KEY:VALUE",
        help="document parameter (like quarto render -P)",
    )
    _render_options(r)
    r.set_defaults(func=cmd_render)

    b = sub.add_parser(
        "build",
        help="the main job: clean every survey of the project and render the site",
        description="Real mode (the default) cleans each survey's raw exports with the real "
        "registry and refuses to go on without them; --demo uses the bundled fictional data.",
    )
    _render_options(b)
    b.add_argument("--demo", action="store_true", help="use the bundled fictional demo data")
    b.add_argument("--registry", help="member registry (default: $FSLT_REGISTRY)")
    b.add_argument(
        "--strict", action="store_true", help="refuse unknown answer labels (as clean --strict)"
    )
    b.add_argument("--out", help=argparse.SUPPRESS)
    b.set_defaults(func=cmd_build)

    f = sub.add_parser(
        "export-form",
        help="write an instrument as XLSForm (KoboToolbox/ODK), printable PDF or text for "
        "Microsoft Forms/SurveyXact",
        description="Write a survey's questionnaire in a form associations can answer. The "
        "answers exported from these forms are read back by `fslt-survey clean`.",
    )
    f.add_argument(
        "instrument",
        help="instrument.yml, a survey folder or a survey name (e.g. medlemsundersoegelse)",
    )
    f.add_argument(
        "--to",
        required=True,
        choices=FORMATS,
        help="xlsform (.xlsx for KoboToolbox/ODK), pdf (paper) or markdown "
        "(text to paste into Microsoft Forms/SurveyXact)",
    )
    f.add_argument(
        "--out",
        help="output file or folder (default: build/forms/<instrument>-<wave>.<xlsx|pdf|md>)",
    )
    f.add_argument(
        "--wave", type=int, help="the wave the form is for: its items only (default: the latest)"
    )
    f.add_argument(
        "--registry",
        metavar="CSV",
        help="XLSForm only: the association question becomes a choice list of this "
        "member registry's names (e.g. surveys/members.csv); without it the "
        "association is free text",
    )
    f.set_defaults(func=cmd_export_form)


def _network_parsers(sub: argparse._SubParsersAction) -> None:
    h = sub.add_parser(
        "handouts",
        help="render the theme handouts (PDF + HTML) for network meetings into build/handouts/",
    )
    h.add_argument("--tema", action="append", help="only this theme (repeatable); default all")
    h.add_argument("--out", help="output folder (default build/handouts)")
    _render_options(h, quiet=False)
    h.set_defaults(func=cmd_handouts)

    n = sub.add_parser(
        "network",
        help="check the network data (forums, meetings, attendance, themes) in surveys/netvaerk/",
    )
    n.set_defaults(func=cmd_network)

    g = sub.add_parser(
        "groups",
        help="propose network groups from the member survey (consenting associations named only)",
    )
    g.add_argument("--min-size", type=int, default=4)
    g.add_argument("--max-size", type=int, default=8)
    g.add_argument("--max-groups", type=int, default=2, help="groups per association (2)")
    g.add_argument("--max-per-theme", type=int, help="groups per theme at most (default: all)")
    g.add_argument("--demo", action="store_true", help="use the bundled demo data")
    g.add_argument("--out", help="also write the named members with explanations as CSV")
    g.set_defaults(func=cmd_groups)


def _followup_parsers(sub: argparse._SubParsersAction) -> None:
    i = sub.add_parser("indicators", help="validate the follow-up indicators and show them")
    i.add_argument("file", nargs="?", default=None, help="indicators.yml")
    i.add_argument("--compute", action="store_true", help="also compute them from the clean data")
    i.set_defaults(func=cmd_indicators)

    f = sub.add_parser(
        "feedback",
        help="render one confidential feedback PDF per association "
        "into build/feedback/ (never the site)",
    )
    f.add_argument("--forening", action="append", metavar="ID", help="association (repeatable)")
    f.add_argument("--out", help="output folder (default build/feedback)")
    _render_options(f, quiet=False)
    jobs = default_jobs()
    f.add_argument("--jobs", type=int, default=jobs, metavar="N", help=f"sheets at a time ({jobs})")
    f.set_defaults(func=cmd_feedback)
    e = sub.add_parser("explain", help="how a finding was computed, to its raw rows (internal)")
    e.add_argument("finding", help="a finding id (the Data page's table), e.g. x.top2.2027")
    e.set_defaults(func=cmd_explain)

    h = sub.add_parser(
        "handleplan",
        help="check the action plan; --pdf writes the internal board agenda to build/handleplan/",
    )
    h.add_argument("file", nargs="?", help="handleplan.yml (default: the project's)")
    h.add_argument("--dato", help="status as of this date (YYYY-MM-DD; default today)")
    h.add_argument("--pdf", action="store_true", help="render build/handleplan/styregruppe.pdf")
    h.add_argument("--out", help="folder for the PDF (default build/handleplan)")
    h.add_argument("--engine", choices=ENGINES, default="auto")
    h.set_defaults(func=cmd_handleplan)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fslt-survey",
        description="Survey and network-forum toolkit for Frivilligcenter og Selvhjælp "
        "Lyngby-Taarbæk.",
        epilog="Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 render failed.",
    )
    p.add_argument("--version", action="version", version=f"fslt-survey {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_data_parsers, _publishing_parsers, _network_parsers, _followup_parsers):
        add(sub)
    for parser in (p, *sub.choices.values()):
        _common_options(parser, top=parser is p)
    return p


def _common_options(p: argparse.ArgumentParser, *, top: bool) -> None:
    """``--debug`` and ``--project-dir``, accepted before and after the command."""
    default = False if top else argparse.SUPPRESS
    p.add_argument(
        "--debug", action="store_true", default=default, help="show Python tracebacks on errors"
    )
    p.add_argument(
        "--project-dir",
        metavar="DIR",
        default=None if top else argparse.SUPPRESS,
        help="the project folder (default: the nearest folder with _quarto.yml from here up)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    if args.project_dir:
        os.environ["FSLT_PROJECT_ROOT"] = str(Path(args.project_dir).resolve())
    try:
        return int(args.func(args) or 0)
    except (UsageError, ProjectNotFound) as exc:
        _err(exc, args)
        return EXIT_USAGE
    except (RenderError, EngineRenderError) as exc:
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
