"""The ``fslt-survey`` command line: every command's parser, in this one module.

The commands' bodies are the ``cmd_*`` functions of :mod:`fslt_survey.commands`; they parse
nothing and compute nothing of their own: they call the library and print what happened. A new
command is a ``cmd_*`` function there and its parser here.

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
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from fslt_survey import __version__
from fslt_survey.commands import (
    EXIT_BUG,
    EXIT_INPUT,
    EXIT_INTERRUPT,
    EXIT_OK,
    EXIT_RENDER,
    EXIT_USAGE,
    UsageError,
    cmd_audit,
    cmd_build,
    cmd_citater,
    cmd_clean,
    cmd_explain,
    cmd_export_form,
    cmd_feedback,
    cmd_groups,
    cmd_handleplan,
    cmd_handouts,
    cmd_indicators,
    cmd_network,
    cmd_render,
    cmd_validate,
)
from fslt_survey.config import ProjectNotFound
from fslt_survey.errors import RenderError, SurveyDataError
from fslt_survey.followup.feedback import default_jobs
from fslt_survey.forms import FORMATS
from fslt_survey.render import ENGINES
from fslt_survey.render.errors import RenderError as EngineRenderError

__all__ = [
    "EXIT_BUG",
    "EXIT_INPUT",
    "EXIT_INTERRUPT",
    "EXIT_OK",
    "EXIT_RENDER",
    "EXIT_USAGE",
    "build_parser",
    "main",
]


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


def _release_parsers(sub: argparse._SubParsersAction) -> None:
    """Checking what is published: the release audit and the quotes to approve."""
    a = sub.add_parser(
        "audit",
        help="audit a built site as an intruder reads it (exit 3 if it discloses a hidden count)",
        description="Combine every published figure of the site (downloads, findings, the "
        "Metode page's counts) and find the feasible range of each hidden count; `build` "
        "runs the same audit.",
    )
    a.add_argument("--site", help="the built site folder (default: the project's _site/)")
    a.set_defaults(func=cmd_audit)

    q = sub.add_parser(
        "citater",
        help="propose quotes from the free-text answers for the analyst to approve (internal)",
        description="Write candidate quotes (redacted, without markup or personal data) to "
        "build/; copy the ones to publish into the survey's citater.yml.",
    )
    q.add_argument("--out", help="output file (default build/citater-forslag-<survey>.yml)")
    q.set_defaults(func=cmd_citater)


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
    for add in (
        _data_parsers,
        _publishing_parsers,
        _release_parsers,
        _network_parsers,
        _followup_parsers,
    ):
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
