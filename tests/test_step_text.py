"""The step-through's words as rich text: aligned lines stay aligned when they wrap."""
import re

from ui.step_text import lines_html


def _hangs(html_text: str) -> list[tuple[str, str]]:
    """(margin-left, the line) of each block with a hanging indent."""
    return re.findall(r"margin-left:([\d.]+)px; text-indent:-\1px;[^>]*>(.*?)</div>", html_text)


def test_lines_with_their_equals_in_one_column_hang_from_it():
    """A value too long for the panel wrapped to the margin, under the names ("sample 1:
    z = [0.4786," then "−0.205, …"); each aligned line now hangs from its value's column
    (7 characters of 8 px: "a ⊙ z = " ends at 56 px)."""
    lines = ["relu is linear on each piece.", "sample 1:", "    z = [0.4786, −0.205]",
             "    a = [1, 0]", "a ⊙ z = [1·0.4786, 0·(−0.205)] = [0.4786, 0]",
             " σ(z) = [0.4786, 0]", "equal: largest |a ⊙ z − σ(z)| = 0"]
    html_text = lines_html(lines, mono=True, char_px=8.0)
    assert _hangs(html_text) == [("64.0", "    z = [0.4786, −0.205]"), ("64.0", "    a = [1, 0]"),
                                 ("64.0", "a ⊙ z = [1·0.4786, 0·(−0.205)] = [0.4786, 0]"),
                                 ("64.0", " σ(z) = [0.4786, 0]")]
    assert html_text.count("<div") == len(lines) and "<table" not in html_text
    assert "white-space:pre-wrap" in html_text


def test_a_line_alone_or_out_of_column_does_not_hang():
    html_text = lines_html(["z₁ = 0.7", "long name = 1", "x = 2"], mono=True, char_px=8.0)
    assert _hangs(html_text) == [] and html_text.count("<div") == 3
    assert "&lt;" in lines_html(["a < b = 1", "c < d = 2"], mono=True, char_px=8.0)   # escaped


def test_words_are_lines_with_marked_letters_in_italics():
    assert lines_html(["m̂ = m/(1−β₁ᵗ)"]) == "<div style='margin:1px 0'><i>m̂</i> = m/(1−β₁ᵗ)</div>"
