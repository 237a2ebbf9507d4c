"""Every character the app can write has a glyph in an installed font: a character no font has
is drawn as an empty box (the Play button read "□ Pause" with only DejaVu installed, the fonts
of a minimal Linux desktop)."""
import pathlib
import unicodedata

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_every_character_in_the_app_has_a_glyph(qapp):
    chars: dict[str, str] = {}
    for folder in ("ui", "nnviz"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for ch in path.read_text(encoding="utf-8"):
                if ord(ch) > 127 and not unicodedata.combining(ch):
                    chars.setdefault(ch, path.relative_to(ROOT).as_posix())
    assert len(chars) > 50          # (the math: ⁽¹⁾, ∂, ⊙, σ′, ŷ, …)
    metrics = [QFontMetrics(QFont())] + [QFontMetrics(QFont(family))
                                         for family in QFontDatabase.families()]
    missing = {ch: where for ch, where in chars.items()
               if not any(m.inFontUcs4(ord(ch)) for m in metrics)}
    assert not missing, {f"{ch} {unicodedata.name(ch, '?')}": where for ch, where in missing.items()}
