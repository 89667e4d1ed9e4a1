"""Spelling of the published Danish text, with hunspell and the Danish dictionary.

Checked: the prose of the report pages (``reports/**/*.qmd``: markdown outside code cells, the
front matter's titles and descriptions, captions and alt texts given as cell options), the site
texts in ``_quarto.yml``, the text values of the survey YAML files (question texts, answer labels,
themes, recommendations, indicators) and the Danish string literals of the library
(``fslt_survey/**/*.py``: table headings, notes, alt-text templates...). Docstrings and comments
are not published and are not checked.

Every word is looked up with ``hunspell -d da_DK`` (Debian: ``hunspell hunspell-da``; installed
by ``scripts/setup-checks``); a word hunspell does not know is accepted only when it is in the
project word list ``tests/spelling/ordliste.txt`` (domain terms and names, each with a reason).
The test fails with one line per unknown word: ``file:line: word``. Run it on its own with::

    .venv/bin/python tests/test_spelling.py        # prints the unknown words, exit 1 if any

A genuine misspelling is fixed in the source; a correct domain word goes in the word list.
"""

from __future__ import annotations

import ast
import contextlib
import html
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
WORDLIST = Path(__file__).resolve().parent / "spelling" / "ordliste.txt"
DICTIONARY = "da_DK"

# -- what is checked -----------------------------------------------------------------------------


def sources(root: Path = ROOT) -> dict[str, list[Path]]:
    """The files checked, by kind."""

    def files(pattern: str) -> list[Path]:
        return sorted(p for p in root.glob(pattern) if p.is_file())

    return {
        "qmd": files("reports/**/*.qmd"),
        "yaml": [
            p
            for p in [root / "_quarto.yml", *files("surveys/**/*.yml")]
            if p.is_file() and "demo" not in p.relative_to(root).parts
        ],
        # fslt_survey/demo/ generates the fictional raw exports, with planted typos
        "python": [p for p in files("fslt_survey/**/*.py") if "demo" not in p.parts],
    }


@dataclass(frozen=True)
class Text:
    """A piece of Danish text and where it is (lines ``line`` to ``end`` of ``path``)."""

    path: Path
    line: int
    text: str
    end: int = 0


#: Front-matter and cell-option keys whose values are published prose.
PROSE_OPTIONS = frozenset(
    {
        "title",
        "subtitle",
        "description",
        "abstract",
        "author",
        "toc-title",
        "abstract-title",
        "fig-cap",
        "tbl-cap",
        "fig-alt",
        "lof-title",
        "lot-title",
        "code-summary",
        "pagetitle",
    }
)
#: YAML keys whose values are identifiers, data or search stems, not prose.
YAML_SKIP_KEYS = frozenset(
    {
        "id",
        "key",
        "keys",
        "sx",
        "item",
        "items",
        "column",
        "columns",
        "battery",
        "kind",
        "scale",
        "source",
        "on",
        "op",
        "type",
        "instrument",
        "aliases",
        "keywords",
        "related",
        "figures",
        "text_items",
        "where",
        "table",
        "measure",
        "period",
        "href",
        "file",
        "output-dir",
        "render",
        "depends",
        "resources",
        "theme",
        "lang",
        "format",
        "pattern",
        "patterns",
        "direction",
        "unit",
    }
)
_IDENTIFIER = re.compile(r"^[a-z0-9_.:/*#@+<>=!-]*$")


def _front_matter_end(lines: list[str]) -> int:
    """Index of the closing ``---`` of the front matter (0 when there is none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return i
    return 0


def _flat(node: yaml.Node) -> bool:
    """A scalar or a list of scalars (ids, stems); not a structure holding more text."""
    if isinstance(node, yaml.SequenceNode):
        return all(isinstance(v, yaml.ScalarNode) for v in node.value)
    return isinstance(node, yaml.ScalarNode)


def _yaml_prose(
    node: yaml.Node, path: Path, offset: int, keys: frozenset[str] | None, parent: str = ""
) -> Iterator[Text]:
    """String scalars under prose keys (``keys``) or, with ``keys=None``, every key except
    :data:`YAML_SKIP_KEYS`, that look like text rather than identifiers."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value)
            if keys is None and name in YAML_SKIP_KEYS and _flat(value):
                continue
            if keys is not None and name not in keys and not isinstance(value, yaml.MappingNode):
                continue
            yield from _yaml_prose(value, path, offset, keys, name)
    elif isinstance(node, yaml.SequenceNode):
        for value in node.value:
            yield from _yaml_prose(value, path, offset, keys, parent)
    elif isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str"):
        value = str(node.value)
        if keys is not None and parent not in keys:
            return
        if _IDENTIFIER.match(value) or not re.search(r"[^\W\d_]{2}", value):
            return
        start, end = offset + node.start_mark.line + 1, offset + node.end_mark.line + 1
        yield Text(path, start, scrub(value), end)


def yaml_texts(path: Path) -> Iterator[Text]:
    """Prose values of a YAML file (question texts, labels, titles, recommendations...)."""
    node = yaml.compose(path.read_text(encoding="utf-8"))
    if node is not None:
        yield from _yaml_prose(node, path, 0, None)


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CELL_OPTION = re.compile(r"^\s*#\|\s*([\w-]+)\s*:\s*(.*)$")
_INLINE_SCRUB = [
    re.compile(r"<!--.*?-->"),  # comments on one line
    re.compile(r"`[^`]*`"),  # inline code and `{python} expr`
    re.compile(r"\{\{<.*?>\}\}"),  # shortcodes
    re.compile(r"\$[^$]+\$"),  # inline math
    re.compile(r"\]\([^)]*\)"),  # link and image targets
    re.compile(r"\]\{[^}]*\}"),  # span attributes
    re.compile(r"\{[#.][^}]*\}"),  # heading / div attributes
    re.compile(r"<[a-zA-Z/][^>]*>"),  # HTML tags and autolinks
    re.compile(r"https?://\S+"),
    re.compile(r"\S+@\S+"),  # e-mail addresses
    re.compile(r"\b[\w-]+(?:\.[\w-]+)+\b"),  # file names, domains, dotted.names, m.m
    re.compile(r"\[\^[^\]]*\]"),  # footnote references
    re.compile(r"-?@[\w:-]+"),  # citations and cross-references
    re.compile(r"^\s*:{3,}.*$"),  # div fences
]


def scrub(text: str) -> str:
    """Markdown and other non-words (code, links, attributes, addresses) blanked out."""
    for pattern in _INLINE_SCRUB:
        text = pattern.sub(" ", text)
    return text


def qmd_texts(path: Path) -> Iterator[Text]:
    """Markdown prose of a Quarto document, its front-matter prose and caption/alt options."""
    lines = path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines()
    end = _front_matter_end(lines)
    if end:
        node = yaml.compose("\n".join(lines[1:end]))
        if node is not None:
            yield from _yaml_prose(node, path, 1, PROSE_OPTIONS)
    fence: str | None = None
    comment = False
    for number, line in enumerate(lines[end + 1 if end else 0 :], start=end + 2 if end else 1):
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
                continue
            option = _CELL_OPTION.match(line)
            if option and option.group(1) in PROSE_OPTIONS:
                value = option.group(2).strip()
                with contextlib.suppress(yaml.YAMLError):
                    value = str(yaml.safe_load(value) or "")
                yield Text(path, number, value, number)
            continue
        match = _FENCE.match(line)
        if match:
            fence = match.group(1)
            continue
        if comment:
            if "-->" in line:
                comment = False
                line = line.split("-->", 1)[1]
            else:
                continue
        if "<!--" in line and "-->" not in line.split("<!--", 1)[1]:
            comment = True
            line = line.split("<!--", 1)[0]
        line = scrub(line)
        if line.strip():
            yield Text(path, number, line, number)


#: Words that mark a string literal as Danish or as English (messages, identifiers).
_DANISH = (
    "og i er til af med der ikke på som en et den det de har kan fra eller om ved skal kun "
    "efter end hvis ingen flere mere mindst alle andre hver svar svaret foreninger foreningen "
    "foreningerne antal andel tallet vises viser"
)
_ENGLISH = (
    "the is a an of to and in not be with on or must has have are was no found expected cannot "
    "should this that by as it its use only when which got missing unknown file row column "
    "value values item items needs given columns time danish english error line"
)
DANISH_MARKERS = frozenset(_DANISH.split())
ENGLISH_MARKERS = frozenset(_ENGLISH.split())
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%[-+ 0#]*\d*(?:\.\d+)?[sdifr%]")


def looks_danish(text: str) -> bool:
    """A string literal that is Danish prose (not an English message, identifier or regex)."""
    if re.search(r"\(\?|\\[bdswWSB]|\[\^|\$$|^\^", text):
        return False  # a regular expression
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return False
    danish = sum(w in DANISH_MARKERS for w in words)
    english = sum(w in ENGLISH_MARKERS for w in words)
    if len(words) < 2 or (english and english >= danish):
        return False  # a single word (a key, a name) or an English message
    return danish > 0 or bool(re.search(r"[æøåÆØÅ]", text))


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def python_texts(path: Path) -> Iterator[Text]:
    """Danish string literals of a module (f-strings with their values left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _docstrings(tree)
    inside_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                inside_fstring.add(id(value))
                parts.append(value.value if isinstance(value, ast.Constant) else " ")
            text = "".join(str(p) for p in parts)
            if looks_danish(text):
                yield Text(path, node.lineno, scrub(text), node.end_lineno or node.lineno)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and id(node) not in inside_fstring
            and looks_danish(node.value)
        ):
            text = scrub(_PLACEHOLDER.sub(" ", node.value))
            yield Text(path, node.lineno, text, node.end_lineno or node.lineno)


def all_texts(root: Path = ROOT) -> list[Text]:
    found = sources(root)
    texts: list[Text] = []
    for path in found["qmd"]:
        texts += qmd_texts(path)
    for path in found["yaml"]:
        texts += yaml_texts(path)
    for path in found["python"]:
        texts += python_texts(path)
    return texts


# -- words ---------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_§][\w§'’-]*(?:\.(?=\s|$))?")


def words(text: str) -> Iterator[str]:
    """The words of ``text`` to look up: no numbers, no identifiers with ``_``, genitive
    apostrophes (``FSLT's``) and dashes at either end removed; of a word with digits
    (``§18-midler``, ``top-2-andel``) only its plain lower-case parts."""
    for match in _WORD.finditer(text):
        word = match.group(0)
        if "_" in word:
            continue
        if any(c.isdigit() for c in word):
            for part in word.split("-"):
                if len(part) > 1 and part.isalpha() and not part.isupper():
                    yield part  # "UTF-8", "PDF/UA-1": the letters are a code, not a word
            continue
        word = re.split(r"['’]", word, maxsplit=1)[0].strip("-")
        if len(word.rstrip(".")) < 2:
            continue
        yield word


def load_wordlist(path: Path = WORDLIST) -> set[str]:
    """The project word list: one word per line; ``#`` starts a comment (the reason)."""
    entries = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            entries.add(word.casefold())
    return entries


def hunspell_unknown(candidates: Iterable[str], dictionary: str = DICTIONARY) -> set[str]:
    """The candidates hunspell's dictionary does not know (one hunspell run for all)."""
    batch = sorted(set(candidates))
    if not batch:
        return set()
    proc = subprocess.run(
        ["hunspell", "-d", dictionary, "-l", "-i", "utf-8"],
        input="\n".join(batch) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"hunspell failed: {proc.stderr.strip()}")
    return set(proc.stdout.split())


def _variants(word: str) -> list[str]:
    """What may stand for ``word`` in the dictionary: the word, without its abbreviation dot,
    and its parts when it is hyphenated."""
    out = [word]
    bare = word.rstrip(".")
    if bare != word:
        out.append(bare)
    if "-" in bare:
        out += [p for p in bare.split("-") if len(p) > 1]
    return out


def in_wordlist(word: str, wordlist: set[str]) -> bool:
    """Whether the word list has ``word`` (any case; also with a genitive -s)."""
    w = word.rstrip(".").casefold()
    return w in wordlist or (w.endswith("s") and w[:-1] in wordlist)


def prefix_rest(word: str, wordlist: set[str]) -> str | None:
    """For a word starting with a compound first part of the list (``frivillig*``): the rest,
    which hunspell must know (``frivilligkonsulent`` -> ``konsulent``)."""
    w = word.rstrip(".").casefold()
    for entry in wordlist:
        if entry.endswith("*") and w.startswith(entry[:-1]) and len(w) > len(entry) + 1:
            return w[len(entry) - 1 :]
    return None


def unknown_words(
    texts: list[Text], wordlist: set[str], root: Path = ROOT
) -> list[tuple[str, int, str]]:
    """``(file, line, word)`` for every word neither hunspell nor the word list knows."""
    occurrences: list[tuple[Text, str]] = [(t, w) for t in texts for w in words(t.text)]
    candidates = {v for _, w in occurrences for v in _variants(w)}
    unknown = hunspell_unknown(candidates)
    rests = {w: prefix_rest(w, wordlist) for _, w in occurrences if w in unknown}
    unknown_rests = hunspell_unknown(r for r in rests.values() if r)

    def part_known(part: str) -> bool:
        if part not in unknown or in_wordlist(part, wordlist):
            return True
        rest = rests.get(part) or prefix_rest(part, wordlist)
        return rest is not None and rest not in unknown_rests

    def known(word: str) -> bool:
        variants = _variants(word)
        if any(part_known(v) for v in variants[:2]):
            return True
        parts = variants[2:] if "-" in word.rstrip(".") else []
        return bool(parts) and all(part_known(p) for p in parts)

    found: set[tuple[str, int, str]] = set()
    lines_cache: dict[Path, list[str]] = {}
    for text, word in occurrences:
        if known(word):
            continue
        lines = lines_cache.setdefault(
            text.path, text.path.read_text(encoding="utf-8").splitlines()
        )
        line = text.line
        bare = word.rstrip(".")
        for number in range(text.line, max(text.end, text.line) + 1):
            if 0 < number <= len(lines) and bare in lines[number - 1]:
                line = number
                break
        found.add((text.path.relative_to(root).as_posix(), line, bare))
    return sorted(found)


# -- the test ------------------------------------------------------------------------------------


def _hunspell_problem() -> str | None:
    if shutil.which("hunspell") is None:
        return "hunspell is not installed (run scripts/setup-checks)"
    proc = subprocess.run(
        ["hunspell", "-d", DICTIONARY, "-l"],
        input="hus\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or "Can't open" in proc.stderr or proc.stdout.strip():
        return (
            f"the hunspell dictionary {DICTIONARY} is missing (Debian package hunspell-da; "
            "run scripts/setup-checks)"
        )
    return None


@pytest.fixture(scope="module")
def hunspell() -> None:
    problem = _hunspell_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {problem}")
        pytest.skip(problem)


def test_wordlist_is_sorted_short_and_justified() -> None:
    entries = []
    for number, line in enumerate(WORDLIST.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        word, _, reason = line.partition("#")
        assert word.strip() and reason.strip(), f"ordliste.txt:{number}: word and # reason"
        assert " " not in word.strip(), f"ordliste.txt:{number}: one word per line"
        entries.append(word.strip().casefold())
    assert len(entries) == len(set(entries)), "ordliste.txt has duplicates"
    assert len(entries) <= 120, "keep the word list short: fix spelling instead"


def test_extraction_finds_the_danish_text() -> None:
    texts = all_texts()
    joined = "\n".join(t.text for t in texts)
    files = {t.path.relative_to(ROOT).as_posix() for t in texts}
    assert "Hvilken forening svarer du på vegne af?" in joined  # a question text
    assert "I høj grad" in joined  # an answer label
    assert "Spring til indhold" in joined  # a Danish string of the render engine
    assert any(f.startswith("reports/") for f in files)
    # English messages and docstrings are not Danish text
    assert not any("must be a positive integer" in t.text for t in texts)
    assert looks_danish("Andelen af foreninger, der har svaret")
    assert not looks_danish("expected a number, found {x}")
    assert not looks_danish(r"(?<![\w\[])([A-ZÆØÅ][a-zæøå]+)")


def test_extraction_of_a_qmd_page(tmp_path: Path) -> None:
    page = tmp_path / "side.qmd"
    page.write_text(
        '---\ntitle: "Foreningernes behvo"\nformat: html\n---\n\n'
        "Tekst med [et link](https://eksempel.dk/sti) og `kode_i_linjen`.\n\n"
        "```{python}\n#| fig-cap: \"Figurtekst med fejll\"\nx = 'ikke_tekst'\n```\n\n"
        "<!-- en kommentar\nover linjer -->\n::: {.callout-note}\nBemærk @fig-x.\n:::\n",
        encoding="utf-8",
    )
    texts = list(qmd_texts(page))
    lines = {t.line: t.text for t in texts}
    assert "Foreningernes behvo" in lines[2]
    assert "Figurtekst med fejll" in lines[9]
    joined = " ".join(lines.values())
    for absent in ("eksempel", "kode_i_linjen", "ikke_tekst", "kommentar", "callout", "fig-x"):
        assert absent not in joined


def test_hunspell_flags_a_misspelling_with_file_and_line(hunspell: None, tmp_path: Path) -> None:
    page = ROOT / "tests" / "spelling"  # a path inside the project, for relative names
    text = Text(page / "ordliste.txt", 1, "Foreningerne har behvo for frivillige og FSLT's hjælp.")
    assert unknown_words([text], load_wordlist()) == [("tests/spelling/ordliste.txt", 1, "behvo")]


def test_published_danish_text_is_spelled_correctly(hunspell: None) -> None:
    problems = unknown_words(all_texts(), load_wordlist())
    listing = "\n".join(f"  {path}:{line}: {word}" for path, line, word in problems)
    assert not problems, (
        f"{len(problems)} word(s) not in the Danish dictionary nor in "
        f"tests/spelling/ordliste.txt (fix the spelling, or add a domain term to the list with "
        f"a reason):\n{listing}"
    )


_FILE_NAME = re.compile(r"\b[\w-]+\.(?:csv|xlsx|pdf|html)\b")
_URL = re.compile(r"https?://[^\s)»«]*(?:[ \t]*\n[^\s)»«]*)?")


def published_texts(site: Path, folder: Path) -> list[Text]:
    """The text a reader of the built site reads - every page (without scripts and styles)
    and every PDF (pypdf) - one file per page in ``folder`` (for line numbers)."""
    texts = []
    for path in sorted(site.rglob("*.html")) + sorted(site.rglob("*.pdf")):
        if path.suffix == ".pdf":
            body = "\n".join(p.extract_text() or "" for p in PdfReader(path).pages)
        else:
            raw = re.sub(r"<(script|style)\b.*?</\1>", " ", path.read_text("utf-8"), flags=re.S)
            body = html.unescape(re.sub(r"<[^>]+>", " ", raw))
        body = _FILE_NAME.sub(" ", body)  # a download's file name is a name, not a word
        body = _URL.sub(" ", body)  # an address is no word either (also wrapped at a line end)
        out = folder / f"{path.relative_to(site).as_posix().replace('/', '__')}.txt"
        out.write_text(body, encoding="utf-8")
        texts.append(Text(out, 1, body, body.count("\n") + 1))
    return texts


def test_the_built_site_and_its_pdfs_are_spelled_correctly(
    hunspell: None, site_dir: Path, tmp_path: Path
) -> None:
    """Issue 19: what readers read - the rendered pages and the PDFs, generated text included -
    holds no word that neither hunspell-da nor the justified word list knows."""
    texts = published_texts(site_dir, tmp_path)
    assert any(t.path.name.endswith(".pdf.txt") for t in texts)
    problems = unknown_words(texts, load_wordlist(), root=tmp_path)
    listing = "\n".join(f"  {path}:{line}: {word}" for path, line, word in problems)
    assert not problems, f"{len(problems)} unknown word(s) in the built site:\n{listing}"


if __name__ == "__main__":
    problem = _hunspell_problem()
    if problem:
        sys.exit(problem)
    found = unknown_words(all_texts(), load_wordlist())
    for path, line, word in found:
        print(f"{path}:{line}: {word}")
    sys.exit(1 if found else 0)
