"""Labels shortened to a width and still told apart.

Eliding each label on its own makes look-alikes of names that differ only at their end: the
iris columns "sepal length" and "sepal width" both became "se…", and the breast-cancer table's
"mean concavity" and "mean concave points" both "mean conc…". :func:`distinct_labels` keeps a
label that fits, elides one that does not, and where two elided labels read the same gives each
of them its words' initials instead, with as many letters of the last word as tell them
apart: "sl" and "sw"; "mc" (mean concavity) and "mcp" (mean concave points). Pure: the font
comes in as two functions.
"""
from __future__ import annotations

import re
from collections.abc import Callable


def distinct_labels(names: list[str], room: float, advance: Callable[[str], float],
                    elide: Callable[[str, float], str]) -> list[str]:
    """``names`` as they fit ``room``: whole, elided, or abbreviated where eliding would make
    two of them alike. ``advance(text)`` is a text's width; ``elide(text, width)`` shortens a
    text to a width with an ellipsis."""
    shown = [name if advance(name) <= room else elide(name, room) for name in names]
    groups: dict[str, list[int]] = {}
    for i, (name, text) in enumerate(zip(names, shown)):
        if text != name:
            groups.setdefault(text, []).append(i)
    taken = set(shown)
    for text, members in groups.items():
        if len({names[i] for i in members}) < 2:
            continue                          # one name elided: nothing to tell apart
        short = _abbreviations([names[i] for i in members])
        if short is None:
            continue
        short = [s if advance(s) <= room else elide(s, room) for s in short]
        if len(set(short)) == len(short) and not (set(short) & (taken - {text})):
            for i, s in zip(members, short):
                shown[i] = s
            taken |= set(short)
    return shown


def _abbreviations(names: list[str]) -> list[str] | None:
    """Each name's words' initials, then as many letters of its last word as make them all
    different (the shortest such length); None when the names do not differ that way."""
    # The words, without a unit in brackets ("sepal length (cm)": sepal, length).
    split = [re.sub(r"\([^)]*\)|\[[^]]*\]", " ", name).split() for name in names]
    if any(len(words) < 2 for words in split):
        return None
    longest = max(len(words[-1]) for words in split)
    for n in range(1, longest + 1):
        short = ["".join(w[0] for w in words[:-1]) + words[-1][:n] for words in split]
        if len(set(short)) == len(short):
            return short
    return None
