"""CSV datasets: turning a table read by :mod:`nnviz.data.csvread` into a Dataset, and back.

Used by ``nnviz train --data FILE --target COL``, ``nnviz predict`` and the app's import dialog.

* :func:`load_dataset` picks the target and feature columns, checks every cell, builds X in the
  table's own memory (so loading holds about one copy of the values, never two) and proposes the
  task: a target with exactly two distinct values is a classification (mapped to 0/1 in sorted
  order, numbers numerically), a text target with K ≥ 3 labels a K-class classification
  (mapped to 0…K−1 the same way), a numeric target with more values a regression (or K classes
  when the task says classification).
* Tiny problems, a textbook's worked example say, are welcome once the task is stated: a table of
  one row, a constant regression target, or a classification target with one class present
  (written 0 or 1, or named as the positive class). Only when the task cannot be told from the
  target does a message ask for it.

Row numbers in messages are the file's line numbers, 1-based, so the header line is row 1.
Every problem a user can cause raises :class:`~nnviz.errors.NnvizError` with one sentence.
"""
from __future__ import annotations

import os

import numpy as np

# The reader's public names too, so one import serves a CSV user.
from nnviz.data.csvread import read_table, sniff  # noqa: F401
from nnviz.data.csvtable import (MAX_BYTES, MISSING, CsvFormat, Table, format_number,  # noqa: F401
                                 human_size, number_kind)
from nnviz.data.dataset import TASKS, Dataset
from nnviz.errors import NnvizError
from nnviz.settings import MAX_CLASSES


def _cell_state(table: Table, j: int):
    """(missing, bad) boolean masks (n_rows,) of column j: missing = empty, NA-like or a
    non-finite number; bad = other text that is not a number."""
    v = table.values[:, j]
    missing = ~np.isfinite(v)
    bad = np.zeros(v.shape, dtype=bool)
    if j in table.text:
        strings = table.text[j]
        rows = np.flatnonzero(missing)
        cells = [strings[i] for i in rows]
        decimal = table.fmt.decimal
        is_bad = {c: c.strip().lower() not in MISSING and number_kind(c, decimal) is not True
                  for c in set(cells)}
        bad[rows] = np.fromiter(map(is_bad.__getitem__, cells), bool, len(cells))
        missing &= ~bad
    return missing, bad


def column_is_numeric(table: Table, j: int) -> bool:
    """True when every cell of column j is a number or a missing value (empty, NA-like): a
    price column with two "NA" is numbers, a regression target, not 58 text labels."""
    return not _cell_state(table, j)[1].any()


def column_is_empty(table: Table, j: int) -> bool:
    """True when every cell of column j is missing (empty, NA-like): the column a delimiter
    at the end of every row makes."""
    return bool(_cell_state(table, j)[0].all())


def _missing_problem(table: Table, i: int, j: int) -> str:
    where = f"{table.name} row {table.row_numbers[i]}, column {table.columns[j]!r}"
    fix = "drop rows with missing values to skip it"
    v = table.values[i, j]
    if j in table.text:
        s = table.text[j][i].strip()
        if not s:
            return f"{where} is empty; {fix}"
        if np.isinf(v):
            return f"{where}: {s!r} is not a finite number; {fix}"
        return f"{where}: {s!r} marks a missing value; {fix}"
    if np.isinf(v):   # (the text is gone: a number past ±1.8e308, such as 1e400, reads as inf)
        return (f"{where} holds {'-' if v < 0 else ''}infinity or a number too large to "
                f"store (beyond ±1.8e308), not a finite number; {fix}")
    return f"{where} is empty or NaN (a missing value); {fix}"


def _check_cells(table: Table, idx: list[int], drop_missing: bool, numeric: list[bool]):
    """Raise for the first problem (lowest row, then leftmost chosen column) in columns ``idx``;
    return the (n_rows,) mask of rows without missing values and the (missing, bad) masks of
    the columns holding text (only those: a numeric column has no bad cells)."""
    states = {}
    problems = []                                  # (row index, column order, message)
    keep = np.ones(table.n_rows, dtype=bool)
    for order, (j, must_be_number) in enumerate(zip(idx, numeric)):
        missing, bad = _cell_state(table, j)
        if j in table.text:
            states[j] = (missing, bad)
        if must_be_number and bad.any():
            i = int(np.argmax(bad))
            problems.append((i, order, f"{table.name} row {table.row_numbers[i]}, column "
                                       f"{table.columns[j]!r}: {table.text[j][i].strip()!r} is not a number"))
        if not drop_missing and missing.any():
            i = int(np.argmax(missing))
            problems.append((i, order, _missing_problem(table, i, j)))
        keep &= ~missing
        del missing, bad
    if problems:
        raise NnvizError(min(problems)[2])
    return keep, states


def load_dataset(path, target: str, features=None, task: str | None = None,
                 fmt: CsvFormat | None = None, drop_missing: bool = False,
                 max_bytes: int = MAX_BYTES, positive_class: str | None = None) -> Dataset:
    """A Dataset from a CSV file: X (n, len(features)) from the feature columns, y (n,) from
    the target column.

    features: column names (default: :func:`default_inputs`, every other column that holds
        numbers; a text column left out is named in ``dataset.notices``).
    task: None to propose it from the target (two distinct values → classification, a
        numeric target with more → regression), or "classification" / "regression".
    drop_missing: drop rows with a missing value in a chosen column instead of raising; the
        count is in ``dataset.source["dropped_rows"]``.
    positive_class: one-vs-rest classification: the target label (as written in the file)
        that becomes class 1; every other label is class 0.
    """
    if task is not None and task not in TASKS:
        raise NnvizError(f"unknown task {task!r} (choose from: {', '.join(TASKS)})")
    table = read_table(path, fmt, max_bytes=max_bytes)
    return _dataset(table, target, features, task, drop_missing, positive_class, consume=True)


def default_inputs(table: Table, target: str) -> tuple[list[str], list[str]]:
    """(the input columns chosen by default, the text columns left out), in table order.

    The default is every column but the target that holds numbers: a column of numbers with a
    few typos stays in (loading then names the bad cell), a column of words (labels, names) is
    left out, and so is an empty column. When no column holds numbers they are all chosen, so
    that loading says what is wrong. The import dialog ticks the same columns."""
    t = table.index(target)
    others = [j for j in range(table.n_columns) if j != t]
    numbers = {j: np.count_nonzero(~np.isnan(table.values[:, j])) for j in others}
    usable = [j for j in others
              if numbers[j] and (table.is_numeric(j) or numbers[j] * 2 >= table.n_rows)]
    if not usable:
        return [table.columns[j] for j in others], []
    chosen = set(usable)
    skipped = [table.columns[j] for j in others if j not in chosen and not table.is_numeric(j)]
    return [table.columns[j] for j in usable], skipped


def target_labels(table: Table, target: str) -> list[str]:
    """The distinct non-missing labels of a target column, sorted (numbers numerically),
    written as in the file: what a classification would map to 0/1 (or one-vs-rest picks from)."""
    t = table.index(target)
    missing, bad = _cell_state(table, t)
    if bad.any():
        strings = table.text[t]
        return sorted({strings[i].strip() for i in np.flatnonzero(~missing)})
    return [format_number(v) for v in np.unique(table.values[~missing, t])]


def dataset_from_table(table: Table, target: str, features=None, task: str | None = None,
                       drop_missing: bool = False, positive_class: str | None = None) -> Dataset:
    """:func:`load_dataset` on a table already read (the import dialog reads the file once)."""
    return _dataset(table, target, features, task, drop_missing, positive_class, consume=False)


def _dataset(table: Table, target, features, task, drop_missing, positive_class,
             consume: bool) -> Dataset:
    """consume: X may be built in the memory of ``table.values`` (the table is not used again),
    so that loading holds the values once instead of twice."""
    if task is not None and task not in TASKS:
        raise NnvizError(f"unknown task {task!r} (choose from: {', '.join(TASKS)})")
    if positive_class is not None:
        if task == "regression":
            raise NnvizError("one-vs-rest needs a classification task, not regression")
        task = "classification"
    name = table.name
    if not isinstance(target, str):
        raise NnvizError(f"the target must be a column name, not {target!r}")
    t = table.index(target)
    skipped = []
    if features is None:
        feat_idx, skipped = default_inputs(table, target)
        feat_idx = [table.index(c) for c in feat_idx]
    else:
        if isinstance(features, str) or not hasattr(features, "__iter__"):
            raise NnvizError(f"features must be a list of column names, not {features!r}")
        feat_idx = []
        for col in features:
            if not isinstance(col, str):
                raise NnvizError(f"an input column must be named by text, not {col!r}")
            j = table.index(col)
            if j == t:
                raise NnvizError(f"the target column {target!r} cannot also be an input")
            if j in feat_idx:
                raise NnvizError(f"column {col!r} is listed twice in the inputs")
            feat_idx.append(j)
    if not feat_idx:
        raise NnvizError(f"{name} has no input columns besides the target {target!r}")

    keep, states = _check_cells(table, feat_idx + [t], drop_missing,
                                [True] * len(feat_idx) + [task == "regression"])
    n_keep = int(keep.sum())
    dropped = table.n_rows - n_keep
    after = (f" after dropping {dropped} row{'s' * (dropped != 1)} with missing values"
             if dropped else "")
    if n_keep == 0:
        raise NnvizError(f"{name} has no usable data rows{after}; there is nothing to learn")
    if n_keep == 1 and task is None:
        raise NnvizError(f"{name} has 1 usable data row{after}, from which the task cannot be told; "
                         "state the task (classification or regression)")

    where = f"target column {target!r} in {name}"
    bad_t = states[t][1] if t in states else np.zeros(table.n_rows, dtype=bool)
    class_names = None
    if positive_class is not None:                # one label against the rest
        positive_class = str(positive_class).strip()
        if bad_t.any():
            strings = table.text[t]
            labels = [strings[i].strip() for i in np.flatnonzero(keep)]
        else:
            labels = [format_number(v) for v in table.values[keep, t]]
        distinct = sorted(set(labels))
        if positive_class not in distinct:
            shown = ", ".join(distinct[:6]) + (", …" if len(distinct) > 6 else "")
            raise NnvizError(f"{where} has no label {positive_class!r} (labels: {shown})")
        y = np.fromiter((s == positive_class for s in labels), dtype=np.float64, count=len(labels))
        class_names = (f"not {positive_class}", positive_class)
    elif bad_t.any():                             # text labels
        strings = table.text[t]
        labels = [strings[i].strip() for i in np.flatnonzero(keep)]
        distinct = sorted(set(labels))
        if not 2 <= len(distinct) <= MAX_CLASSES:
            raise NnvizError(_classes_problem(where, distinct))
        index = {label: float(k) for k, label in enumerate(distinct)}
        y = np.fromiter(map(index.__getitem__, labels), dtype=np.float64, count=len(labels))
        class_names, task = tuple(distinct), "classification"
    else:
        yv = table.values[keep, t]
        distinct = np.unique(yv)
        if task is None:
            if len(distinct) < 2:
                raise NnvizError(f"{where} has the same value ({format_number(distinct[0])}) in every "
                                 "row, so the task cannot be told from it; state the task "
                                 "(classification or regression)")
            task = "classification" if len(distinct) == 2 else "regression"
        if task == "classification" and len(distinct) == 1:
            # One class present, the task stated: a 0/1 label is its own class index.
            if distinct[0] not in (0.0, 1.0):
                raise NnvizError(f"{where} has only one class ({format_number(distinct[0])}); with "
                                 "one class present, write it as 0 or 1 so that its class is known")
            y = yv.copy()
            class_names = ("0", "1")
        elif task == "classification":
            if not 2 <= len(distinct) <= MAX_CLASSES:
                raise NnvizError(f"{where} has {len(distinct)} distinct value{'s' * (len(distinct) != 1)}"
                                 f"; classification needs 2 to {MAX_CLASSES} classes (a numeric "
                                 "target with more values is a regression)")
            y = np.searchsorted(distinct, yv).astype(np.float64)   # index in sorted order
            class_names = tuple(format_number(v) for v in distinct)
        else:
            y = yv
    X = _take(table, keep if dropped else None, feat_idx, consume)
    inputs = [table.columns[j] for j in feat_idx]
    source = {"csv": os.path.abspath(table.path), "target": target, "features": inputs,
              "task": task, "format": table.fmt.to_dict(), "drop_missing": bool(drop_missing),
              "dropped_rows": dropped}
    if positive_class is not None:
        source["positive_class"] = positive_class
    notices = [f"column {c!r} holds text, so it is not an input (skipped)" for c in skipped]
    return Dataset(np.ascontiguousarray(X), y, inputs, task, name=name, target=target,
                   class_names=class_names, source=source, notices=notices)


def _take(table: Table, keep, cols: list[int], consume: bool) -> np.ndarray:
    """``table.values[keep][:, cols]`` as a C-contiguous array. With ``consume``, written over
    ``table.values`` itself a few thousand rows at a time and cut to size, which leaves the
    table unusable; a copy when its values are not an array of their own."""
    values = table.values
    if not (consume and values.flags.owndata and values.flags.c_contiguous
            and values.flags.writeable and values.dtype == np.float64):
        return np.ascontiguousarray(values[np.ix_(keep, cols)] if keep is not None
                                    else values[:, cols])
    table.values = None
    n, p = values.shape[0], len(cols)
    flat = values.reshape(-1)
    out = 0
    step = 4096
    for r0 in range(0, n, step):
        # Rows r0… of the result start at or before row r0 of the table and end before the
        # rows still to be read, so each chunk is copied out first, then written back.
        part = values[r0:r0 + step]
        if keep is not None:
            part = part[keep[r0:r0 + step]]
        part = part[:, cols].ravel()
        flat[out:out + part.size] = part
        out += part.size
    del flat, part
    values.resize((out // p, p), refcheck=False)
    return values


def _classes_problem(where: str, distinct: list[str]) -> str:
    if len(distinct) < 2:
        return (f"{where} has only one class ({distinct[0]!r}); classification needs two, or this "
                "class named as the positive class (one class against the rest)")
    shown = ", ".join(distinct[:6]) + (", …" if len(distinct) > 6 else "")
    return (f"{where} has {len(distinct)} classes ({shown}); at most {MAX_CLASSES} are "
            "supported: choose one class against the rest")


def write_dataset(dataset: Dataset, path) -> None:
    """Save a Dataset as a comma-separated file with a header: its input columns, then the
    target (class labels as ``dataset.class_names`` when it has them and they sort in their 0/1
    order, so that reading the file maps them the same way; else 0/1 or the values).
    Numbers are written exactly (``repr``), so :func:`load_dataset` reads the same arrays."""
    from nnviz.io.fileio import atomic_write

    def field(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text

    names = list(dataset.inputs) + [dataset.target or "y"]
    lines = [",".join(field(n) for n in names)]
    y = dataset.y
    names = dataset.class_names
    # two classes: as before; K classes: the names whenever reading them maps them back
    names_kept = names is not None and (sorted(names) if len(names) == 2
                                        else _loader_order(names)) == list(names)
    if dataset.task == "classification" and names_kept:   # read back in the same 0/1 order
        labels = [field(dataset.class_names[int(v)]) for v in y]
    else:
        labels = [format_number(v) for v in y]
    for row, label in zip(dataset.X.tolist(), labels):
        lines.append(",".join(format_number(v) for v in row) + "," + label)
    atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"))


def read_classes(path, target: str, columns, classes, fmt: CsvFormat | None = None,
                 max_bytes: int = MAX_BYTES) -> tuple[np.ndarray, np.ndarray]:
    """(X (n, len(columns)), y (n,) class indices) from a CSV file whose target holds labels of
    a K-class model, mapped by the model's own ``classes`` (not by the labels this file happens
    to hold, which may be fewer). A label that is not one of them raises, naming its row."""
    table = read_table(path, fmt, max_bytes=max_bytes)
    idx = [table.index(c) for c in columns]
    t = table.index(target)
    _check_cells(table, idx + [t], False, [True] * len(idx) + [False])
    if t in table.text:
        labels = [v.strip() for v in table.text[t]]
    else:
        labels = [format_number(v) for v in table.values[:, t]]
    index = {c: k for k, c in enumerate(classes)}
    for i, label in enumerate(labels):
        if label not in index:
            raise NnvizError(f"{table.name} row {table.row_numbers[i]}: {label!r} is not one of the "
                             f"model's classes ({', '.join(classes)})")
    y = np.array([index[label] for label in labels], dtype=np.float64)
    return np.ascontiguousarray(table.values[:, idx]), y


def _loader_order(names) -> list[str]:
    """Labels in the order the loader maps them to 0, 1, …: numerically when all are numbers,
    else as text."""
    try:
        return sorted(names, key=float)
    except ValueError:
        return sorted(names)


def read_columns(path, columns, fmt: CsvFormat | None = None,
                 max_bytes: int = MAX_BYTES) -> np.ndarray:
    """The named numeric columns of a CSV file as X (n_rows, len(columns)) float64, C-contiguous
    (for ``nnviz predict``). Every cell must be a finite number."""
    table = read_table(path, fmt, max_bytes=max_bytes)
    idx = [table.index(c) for c in columns]
    _check_cells(table, idx, False, [True] * len(idx))
    return np.ascontiguousarray(table.values[:, idx])
