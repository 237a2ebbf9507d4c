"""Row labels shortened to a width stay told apart (the iris columns read "se…" twice)."""
from ui.short_labels import distinct_labels

IRIS = ["sepal length", "sepal width", "petal length", "petal width"]
CANCER = ["mean radius", "mean texture", "mean perimeter", "mean area", "mean smoothness",
          "mean compactness", "mean concavity", "mean concave points", "mean symmetry",
          "mean fractal dimension"]


def advance(text: str) -> float:          # a fixed-width font: 6 px a character
    return 6.0 * len(text)


def elide(text: str, width: float) -> str:
    """As QFontMetrics.elidedText: as many characters as fit before "…"."""
    if advance(text) <= width:
        return text
    n = max(0, int(width // 6) - 1)
    return text[:n] + "…"


def test_names_that_fit_stay_whole():
    assert distinct_labels(IRIS, 100, advance, elide) == IRIS
    assert distinct_labels(["x1", "x2"], 12, advance, elide) == ["x1", "x2"]


def test_look_alike_elisions_become_initials():
    # 18 px: three characters. Elided, the four would read se…, se…, pe…, pe….
    assert [elide(n, 18) for n in IRIS] == ["se…", "se…", "pe…", "pe…"]
    assert distinct_labels(IRIS, 18, advance, elide) == ["sl", "sw", "pl", "pw"]


def test_a_unit_in_brackets_is_no_word():
    names = [f"{n} (cm)" for n in IRIS]
    assert distinct_labels(names, 18, advance, elide) == ["sl", "sw", "pl", "pw"]


def test_the_last_word_gets_as_many_letters_as_tell_names_apart():
    shown = distinct_labels(CANCER, 30, advance, elide)          # five characters
    assert len(set(shown)) == len(CANCER) and all(advance(s) <= 30 for s in shown)
    assert shown[:3] == ["mrad", "mtex", "mper"]
    assert shown[5:8] == ["mcom", "mcon", "mcpoi"]  # compactness, concavity, concave points


def test_an_elided_label_that_is_already_unique_stays_elided():
    names = ["sepal length", "petal width", "x1"]
    assert distinct_labels(names, 24, advance, elide) == ["sep…", "pet…", "x1"]


def test_names_that_cannot_be_told_apart_stay_as_elided():
    # One word each: no initials to use.
    names = ["abcdefgh1", "abcdefgh2"]
    assert distinct_labels(names, 24, advance, elide) == ["abc…", "abc…"]
    # Abbreviations too wide for the room would be elided alike again.
    names = ["a very long thing", "a very long thong"]
    assert distinct_labels(names, 18, advance, elide) == ["a …", "a …"]
