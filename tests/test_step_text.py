"""The step-through's words as rich text: aligned lines stay aligned when they wrap."""
import re

from ui.step_text import lines_html


def _rows(html_text: str) -> list[tuple[str, str]]:
    return re.findall(r"<tr><td align='right'[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", html_text)


def test_lines_with_their_equals_in_one_column_become_a_table():
    """A value too long for the panel wrapped under the names ("sample 1:  z = [0.4786,"
    then "−0.205, …" at the margin); in a table it wraps within its own column."""
    lines = ["relu is linear on each piece.", "sample 1:", "    z = [0.4786, −0.205]",
             "    a = [1, 0]", "a ⊙ z = [1·0.4786, 0·(−0.205)] = [0.4786, 0]",
             " σ(z) = [0.4786, 0]", "equal: largest |a ⊙ z − σ(z)| = 0"]
    html_text = lines_html(lines, mono=True)
    assert _rows(html_text) == [("z", " = [0.4786, −0.205]"), ("a", " = [1, 0]"),
                                ("a ⊙ z", " = [1·0.4786, 0·(−0.205)] = [0.4786, 0]"),
                                ("σ(z)", " = [0.4786, 0]")]
    assert html_text.count("<table") == 1
    assert "relu is linear on each piece.</div>" in html_text     # the others stay lines
    assert "sample 1:</div>" in html_text and "= 0</div>" in html_text


def test_a_line_alone_or_out_of_column_stays_a_line():
    html_text = lines_html(["z₁ = 0.7", "long name = 1", "x = 2"], mono=True)
    assert "<table" not in html_text and html_text.count("<div") == 3
    assert "&lt;" in lines_html(["a < b = 1", "c < d = 2"], mono=True)   # escaped


def test_words_are_lines_with_marked_letters_in_italics():
    assert lines_html(["m̂ = m/(1−β₁ᵗ)"]) == "<div style='margin:1px 0'><i>m̂</i> = m/(1−β₁ᵗ)</div>"
