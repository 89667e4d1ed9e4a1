"""The bodies of the ``fslt-survey`` commands (:mod:`fslt_survey.cli` holds their parsers).

Each ``cmd_*`` function parses nothing and computes nothing of its own: it calls the library and
prints what happened.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Sequence
from pathlib import Path

from fslt_survey import config
from fslt_survey.build import build
from fslt_survey.codebook import load_instrument
from fslt_survey.errors import SurveyDataError
from fslt_survey.followup import (
    describe_plan,
    indicators_file,
    load_indicators,
    load_plan,
    plan_file,
    published_indicators,
    write_steering_pdf,
)
from fslt_survey.followup.feedback import feedback_dir, render_feedback
from fslt_survey.forms import export_form, form_layout
from fslt_survey.network import MEMBER_SURVEY, check_network, member_instrument, render_handouts
from fslt_survey.network.groups import GroupSettings, propose_groups
from fslt_survey.network.quotes import write_proposals
from fslt_survey.pipeline import clean_survey, clean_to_disk
from fslt_survey.privacy import write_csv_safe
from fslt_survey.project import demo_mode, is_confidential, load_project
from fslt_survey.publish.explain import explain_finding
from fslt_survey.publish.release_audit import check_release
from fslt_survey.registry import load_registry
from fslt_survey.render import render_project
from fslt_survey.store import instrument_path, load_clean

EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_INPUT, EXIT_RENDER, EXIT_INTERRUPT = 0, 1, 2, 3, 4, 130


class UsageError(Exception):
    """Wrong usage of a command (exit 2)."""


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


def cmd_audit(args: argparse.Namespace) -> int:
    site = Path(args.site) if args.site else config.site_dir()
    if not site.is_dir():
        raise UsageError(f"no built site at {site}: run `fslt-survey build` first")
    _print("\n".join(check_release(site, load_project())))
    return EXIT_OK


def cmd_citater(args: argparse.Namespace) -> int:
    _print("\n".join(write_proposals(Path(args.out) if args.out else None)))
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
