"""The app, the command line and README speak in the project's own words: no text a user can
see cites the team's reference documents ("seed 003", "§5.2", "eq 10.13")."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"\bseed 0\d\d\b|§|\beq\.? ?10\.\d", re.IGNORECASE)


def strings(path: Path):
    """Every string constant in a module (UI text, tooltips, messages, CLI output, docstrings),
    with its line."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_the_pattern_finds_citations():
    for text in ("(seed 003 eq 10.13)", "Seed 001 §5.2", "eq. 10.18", "see §9"):
        assert CITATION.search(text), text
    for text in ("--seed 0", "the seed of the run", "eq", "W⁽¹⁾"):
        assert not CITATION.search(text), text


def test_no_citation_in_any_string_of_the_app_or_the_engine():
    found = [f"{p.relative_to(ROOT)}:{line}: {text.strip()[:80]!r}"
             for folder in ("nnviz", "ui") for p in sorted((ROOT / folder).rglob("*.py"))
             for line, text in strings(p) if CITATION.search(text)]
    assert found == []


def test_no_citation_in_the_readme():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert [f"README.md:{i}: {line[:80]}" for i, line in enumerate(lines, 1)
            if CITATION.search(line)] == []
