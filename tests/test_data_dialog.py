"""File › Open data…: format detection and overrides, columns and task, bad files refused with
one sentence and the session left as it was, and the same arrays as ``nnviz train --data``."""
import numpy as np
import pytest

from nnviz.cli import main as cli
from nnviz.experiment import build
from ui import data_actions, dialogs
from ui.data_dialog import DataImportDialog


@pytest.fixture
def make(qtbot, session):
    """A dialog on a file whose OK trains the test's session."""
    def _make(path, **kw):
        def apply(dataset, **settings):
            session.set_dataset(dataset, **settings)
        dlg = DataImportDialog(path, apply, **kw)
        qtbot.addWidget(dlg)
        return dlg
    return _make


def _preview(dlg):
    p = dlg.preview
    head = [p.horizontalHeaderItem(j).text() for j in range(p.columnCount())]
    rows = [[p.item(i, j).text() for j in range(p.columnCount())] for i in range(p.rowCount())]
    return head, rows


@pytest.mark.parametrize("content, delim, decimal, header, encoding, head, first", [
    ("a,b,y\n1.5,2,0\n3,4.25,1\n", ",", ".", True, "utf-8", ["a", "b", "y"], ["1.5", "2", "0"]),
    ("a;b;y\n1,5;2;0\n3;4,25;1\n", ";", ",", True, "utf-8", ["a", "b", "y"], ["1.5", "2", "0"]),
    ("a\tb\ty\n1.5\t2\t0\n3\t4\t1\n", "\t", ".", True, "utf-8", ["a", "b", "y"], ["1.5", "2", "0"]),
    ("\ufeffa,b,y\r\n1,2,0\r\n3,4,1\r\n", ",", ".", True, "utf-8-sig", ["a", "b", "y"], ["1", "2", "0"]),
    ("a,b,y\r\n1,2,0\r\n3,4,1\r\n", ",", ".", True, "utf-8", ["a", "b", "y"], ["1", "2", "0"]),
    ("1,2,0\n3,4,1\n5,6,0\n", ",", ".", False, "utf-8", ["c1", "c2", "c3"], ["1", "2", "0"]),
])
def test_detection(make, write, content, delim, decimal, header, encoding, head, first):
    dlg = make(write(content))
    assert dlg.delimiter.currentData() == delim
    assert dlg.decimal.currentData() == decimal
    assert dlg.header.isChecked() is header
    assert dlg.encoding.currentData() == encoding
    got_head, rows = _preview(dlg)
    assert got_head == head and rows[0] == first
    assert dlg.target.currentText() == head[-1]
    assert dlg.chosen_features() == head[:-1]
    assert dlg.dataset is not None and dlg.dataset.X[0].tolist() == [float(v) for v in first[:2]]


def test_overrides_read_the_file_again(make, write):
    dlg = make(write("a;b;y\n1,5;2;0\n3;4,25;1\n"))
    dlg.decimal.setCurrentIndex(dlg.decimal.findData("."))      # 1,5 is no longer a number
    assert dlg.dataset is None
    assert dlg.message.text() == "data.csv row 2, column 'a': '1,5' is not a number."
    assert not dlg.buttons.button(dlg.buttons.StandardButton.Ok).isEnabled()
    dlg.decimal.setCurrentIndex(dlg.decimal.findData(","))
    assert dlg.dataset.X[:, 0].tolist() == [1.5, 3.0]
    dlg.header.setChecked(False)                                 # the header becomes a row
    assert _preview(dlg)[0] == ["c1", "c2", "c3"] and _preview(dlg)[1][0] == ["a", "b", "y"]


def test_task_proposal_and_mapping(make, write):
    dlg = make(write("r,t,d\n1,1.5,M\n2,2.5,B\n3,7,M\n"))
    assert dlg.task.currentText() == "classification"
    assert dlg.mapping.text() == "B → 0, M → 1"
    assert dlg.dataset.y.tolist() == [1.0, 0.0, 1.0]
    # The greyed "Class 1" names the class that becomes 1 (it showed "B" above "M → 1").
    assert not dlg.positive.isEnabled() and dlg.positive.currentText() == "M"
    dlg.target.setCurrentText("t")                               # three numbers: regression
    assert dlg.task.currentText() == "regression"
    assert dlg.positive.currentText() == ""                      # no class is 1
    dlg.task.setCurrentText("one class vs the rest")             # a first label to start with
    assert dlg.positive.currentText() == "1.5" and dlg.mapping.text() == "1.5 → 1, every other class → 0"
    dlg.task.setCurrentText("regression")
    assert dlg.chosen_features() == ["r"]                        # the text column stays off
    assert dlg.dataset.task == "regression" and dlg.dataset.y.tolist() == [1.5, 2.5, 7.0]
    dlg.task.setCurrentText("classification")                   # overridden: three classes
    assert dlg.dataset.n_classes == 3 and dlg.mapping.text() == "1.5 → 0, 2.5 → 1, 7 → 2"


def test_more_than_two_classes_are_k_classes_and_one_vs_rest_is_offered(make, write):
    dlg = make(write("x,z,species\n1,0,setosa\n2,1,versicolor\n3,0,virginica\n4,1,setosa\n"))
    assert dlg.task.currentText() == "classification"           # K classes, by name
    assert dlg.mapping.text() == "setosa → 0, versicolor → 1, virginica → 2"
    assert dlg.dataset.y.tolist() == [0.0, 1.0, 2.0, 0.0]
    assert [dlg.positive.itemText(i) for i in range(dlg.positive.count())] == \
        ["setosa", "versicolor", "virginica"]
    assert not dlg.positive.isEnabled() and dlg.positive.currentText() == "versicolor"
    dlg.task.setCurrentText("one class vs the rest")
    assert dlg.positive.isEnabled() and dlg.mapping.text() == "versicolor → 1, every other class → 0"
    dlg.positive.setCurrentText("virginica")
    assert dlg.mapping.text() == "virginica → 1, every other class → 0"
    assert dlg.dataset.y.tolist() == [0.0, 0.0, 1.0, 0.0]


def test_a_constant_column_is_kept_and_the_dialog_says_so(make, write):
    dlg = make(write("a,b,c,d,y\n1,0,5,0,0\n2,0,6,0,1\n3,0,7,0,0\n4,0,8,0,1\n"))
    assert dlg.buttons.button(dlg.buttons.StandardButton.Ok).isEnabled()
    text = dlg.message.text()
    assert "2 columns are constant (b, d); they are kept and standardize to 0" in text
    dlg.standardize.setChecked(False)
    assert "constant" not in dlg.message.text()


def _state(session):
    return (session.dataset, session.network.params.copy(), session.config.features,
            session.trainer.step_count)


def _unchanged(session, before):
    ds, params, feats, steps = before
    assert session.dataset is ds
    np.testing.assert_array_equal(session.network.params, params)
    assert session.config.features == feats and session.trainer.step_count == steps


@pytest.mark.parametrize("content, message", [
    ("", "data.csv is empty."),
    ("a,b,y\n", "data.csv has a header row but no data rows."),
    ("a,b,y\n1,2,0\n3,4\n", "data.csv row 3 has 2 fields, expected 3."),
    ("a,b,y\n1,2,0\n3,x,1\n", "data.csv row 3, column 'b': 'x' is not a number."),
    ("a,b,y\n1,2,0\n3,,1\n5,6,0\n",
     "data.csv row 3, column 'b' is empty or NaN (a missing value); drop rows with missing "
     "values to skip it."),
    ("a,b,y\n1,2,0\n3,NaN,1\n5,6,0\n",
     "data.csv row 3, column 'b' is empty or NaN (a missing value); drop rows with missing "
     "values to skip it."),
    ("a,b,y\n1,2,0\n3,4,NA\n5,6,1\n",
     "data.csv row 3, column 'y': 'NA' marks a missing value; drop rows with missing values to "
     "skip it."),
])
def test_bad_files_are_refused_in_the_dialog(make, write, session, content, message):
    before = _state(session)
    dlg = make(write(content))
    assert dlg.dataset is None and dlg.message.text() == message
    dlg.accept()                                                  # OK is disabled; nothing happens
    assert dlg.result() == 0
    _unchanged(session, before)


def test_missing_values_can_be_dropped(make, write, session):
    dlg = make(write("a,b,y\n1,2,0\n3,,1\n5,6,0\n7,8,1\n9,1,0\n2,3,1\n"))
    assert dlg.dataset is None
    dlg.drop_missing.setChecked(True)
    assert dlg.dataset.n_samples == 5
    assert "1 row with missing values dropped" in dlg.message.text()


@pytest.mark.parametrize("content, setup, message", [
    ("a,y\n1,0\n2,1\n3,0\n4,1\n", lambda d: d.test_ratio.setValue(0.3),
     "A test ratio of 0.3 leaves fewer than 2 rows on one side (3 training, 1 test of 4 rows)."),
])
def test_problems_found_on_ok_keep_the_session(make, write, session, content, setup, message):
    before = _state(session)
    dlg = make(write(content))
    if setup:
        setup(dlg)
    assert dlg.dataset is not None
    dlg.accept()
    assert dlg.result() == 0 and dlg.message.text() == message
    _unchanged(session, before)
    if "constant" in message:                                     # the fix it names works
        dlg.standardize.setChecked(False)
        dlg.accept()
        assert dlg.result() == 1 and session.model.inputs == ["a", "b"]


def test_size_limit_can_be_raised(make, write):
    path = write("a,y\n" + "".join(f"{i}.123456789,{i % 2}\n" for i in range(120_000)))
    dlg = make(path, max_bytes=1024 ** 2)
    assert dlg.dataset is None
    assert dlg.message.text() == "data.csv is 2 MB, over the 1 MB limit; raise the limit to load it."
    dlg.limit_mb.setValue(3)
    assert dlg.dataset is not None and dlg.dataset.n_samples == 120_000


def test_dialog_and_cli_give_the_same_arrays(make, write, session):
    rng = np.random.default_rng(3)
    rows = "".join(f"{a:.6f};{b:.4f};{c:.3f};{'yes' if c > 0 else 'no'}\n".replace(".", ",")
                   for a, b, c in rng.standard_normal((60, 3)))
    path = write("\ufeffp;q;r;label\r\n" + rows.replace("\n", "\r\n"))
    dlg = make(path, test_ratio=0.25, seed=7)
    dlg.accept()
    assert dlg.result() == 1
    args = cli.make_parser().parse_args(["train", "--data", str(path), "--target", "label",
                                          "--test-ratio", "0.25", "--seed", "7"])
    config, dataset, weights = cli._config_from(args)
    exp = build(config, dataset, weights)
    for name in ("F_train", "F_test", "train_idx", "test_idx"):
        np.testing.assert_array_equal(getattr(session.exp, name), getattr(exp, name))
    np.testing.assert_array_equal(session.dataset.X, exp.dataset.X)
    np.testing.assert_array_equal(session.dataset.y, exp.dataset.y)
    np.testing.assert_array_equal(session.network.params, exp.network.params)
    assert session.dataset.class_names == exp.dataset.class_names == ("no", "yes")


def _two_text_columns(write):
    """A table with two text columns besides the target: the CLI stopped on the first one."""
    rng = np.random.default_rng(5)
    rows = "".join(f"{a:.5f},{'krank' if a > 0 else 'gesund'},{b:.4f},Station {k % 3},{c:.3f}\n"
                   for k, (a, b, c) in enumerate(rng.standard_normal((40, 3))))
    return write("p,Diagnose,q,Ort,y\n" + rows)


@pytest.mark.parametrize("inputs", [None, ["q"], ["q", "p"]])
def test_inputs_flag_and_dialog_give_identical_arrays(make, write, session, capsys, inputs):
    path = _two_text_columns(write)
    dlg = make(path, test_ratio=0.25, seed=2)
    if inputs is None:                           # the defaults: the text columns unticked
        assert dlg.chosen_features() == ["p", "q"]
    else:
        dlg.check_features(inputs)
        assert sorted(dlg.chosen_features()) == sorted(inputs)
    dlg.accept()
    assert dlg.result() == 1
    argv = ["train", "--data", str(path), "--target", "y", "--test-ratio", "0.25", "--seed", "2"]
    argv += ["--inputs", ",".join(dlg.chosen_features())] if inputs is not None else []
    config, dataset, weights = cli._config_from(cli.make_parser().parse_args(argv))
    exp = build(config, dataset, weights)
    assert exp.dataset.inputs == session.dataset.inputs == dlg.chosen_features()
    for name in ("F_train", "F_test", "train_idx", "test_idx"):
        np.testing.assert_array_equal(getattr(session.exp, name), getattr(exp, name))
    np.testing.assert_array_equal(session.dataset.X, exp.dataset.X)
    np.testing.assert_array_equal(session.dataset.y, exp.dataset.y)
    # the whole command runs, and says which text columns it left out
    assert cli.main(argv + ["--epochs", "2"]) == 0
    err = capsys.readouterr().err
    if inputs is None:
        assert ("nnviz: note: column 'Diagnose' holds text, so it is not an input (skipped)" in err
                and "column 'Ort' holds text" in err)
    else:
        assert "holds text" not in err


def test_inputs_flag_problems_are_one_sentence(write, capsys):
    path = _two_text_columns(write)
    for extra, message in ((["--inputs", "p,Diagnose"], "column 'Diagnose': 'gesund' is not a number"),
                           (["--inputs", "p,zz"], "no column 'zz'"),
                           (["--inputs", "p,,q"], "empty name in list"),
                           (["--inputs", "p,y"], "cannot also be an input")):
        assert cli.main(["train", "--data", str(path), "--target", "y", *extra]) == 2
        err = capsys.readouterr().err
        assert err.startswith("nnviz: error: ") and message in err and err.count("\n") == 1
    assert cli.main(["train", "--dataset", "circle", "--inputs", "x1"]) == 2
    assert "go with --data" in capsys.readouterr().err


def test_open_data_action_asks_for_a_file(qtbot, monkeypatch, write):
    from ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    path = write("u,v,y\n" + "".join(f"{i},{(i * 7) % 5},{i % 2}\n" for i in range(20)))
    monkeypatch.setattr(dialogs, "ask_open_path", lambda *a, **k: str(path))
    w.actionOpenData.trigger()
    dlg = w._data_dialog
    assert isinstance(dlg, DataImportDialog) and dlg.isVisible()
    dlg.accept()
    assert w.session.model.inputs == ["u", "v"] and w.session.dataset.n_samples == 20
    assert w.data_panel.table_label.isVisible() or not w.data_panel.isVisible()
    assert list(w.data_panel.feature_boxes) == ["u", "v"]
    monkeypatch.setattr(dialogs, "ask_open_path", lambda *a, **k: "")   # cancelled: nothing
    before = w.session.dataset
    assert data_actions.open_data(w) is None and w.session.dataset is before
    w.close()


@pytest.mark.parametrize("data, encoding", [
    ("taille;poids;catégorie\n1,5;2;élevé\n3;4,25;bas\n2;1;élevé\n".encode("cp1252"), "cp1252"),
    (b"\xff\xfe" + "a,b,catégorie\n1,2,x\n3,4,y\n5,6,x\n".encode("utf-16-le"), "utf-16"),
])
def test_a_file_that_is_not_utf8_is_read_in_its_encoding(make, write, data, encoding):
    """A European Excel 'CSV' is cp1252 and Excel's 'Unicode text' UTF-16: both were refused
    as 'not valid UTF-8 text', with UTF-8 the only choice."""
    dlg = make(write(data))
    assert dlg.encoding.currentData() == encoding
    assert dlg.target.currentText() == "catégorie"
    assert dlg.dataset is not None and dlg.dataset.n_samples == 3
    assert "élevé" in (dlg.dataset.class_names or ()) or encoding == "utf-16"


@pytest.mark.parametrize("magic, what", [(b"PK\x03\x04", "an Excel workbook (.xlsx)"),
                                        (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)")])
def test_a_workbook_named_csv_is_said_to_be_one(make, write, magic, what):
    dlg = make(write(magic + bytes(range(200))))
    assert dlg.dataset is None
    assert what in dlg.message.text() and "save it as CSV" in dlg.message.text()


def test_an_empty_last_column_is_not_proposed_as_the_target(make, write):
    """A delimiter ending every row (as spreadsheets write) made an empty last column, which
    was proposed as the target and opened the dialog on an error."""
    dlg = make(write("a;b;y;\n1;2;0;\n3;4;1;\n5;6;0;\n"))
    assert dlg.target.currentText() == "y"
    assert dlg.dataset is not None and dlg.dataset.X.shape == (3, 2)


def test_a_number_target_with_missing_cells_is_proposed_as_a_regression(make, write):
    """A price column with two NA cells was proposed as a classification of 58 one-row
    classes (the NA made it a text column); its cells are numbers and missing values."""
    rows = "".join(f"{i},{i % 7},{'NA' if i in (5, 9) else 10 + 1.37 * i:.2f}\n"
                   if i not in (5, 9) else f"{i},{i % 7},NA\n" for i in range(60))
    dlg = make(write("a,b,price\n" + rows))
    assert dlg.task_name() == "regression"
    dlg.drop_missing.setChecked(True)
    assert dlg.dataset is not None and dlg.dataset.task == "regression"
    assert dlg.dataset.n_samples == 58


def test_many_classes_are_summed_up_not_listed(make, write):
    """With 40 labels the mapping ran over the dialog and the counts read 4 / 4 / 4 / …."""
    rows = "".join(f"{i},{i % 5},c{i % 40:02d}\n" for i in range(160))
    dlg = make(write("a,b,label\n" + rows))
    assert dlg.dataset is not None and dlg.dataset.n_classes == 40
    assert dlg.mapping.text() == "c00 → 0, c01 → 1, c02 → 2, c03 → 3, … c39 → 39 (40 classes)"
    assert "(40 classes, 4 rows each)" in dlg.message.text()


def test_a_comma_delimiter_makes_the_decimal_mark_a_point(make, write):
    """On a ; file with decimal commas, choosing the comma as delimiter was refused ("The
    decimal mark and the delimiter cannot both be ','") and emptied the preview."""
    dlg = make(write("a;b;y\n1,5;2;0\n3;4,25;1\n"))
    assert dlg.decimal.currentData() == ","
    dlg.delimiter.setCurrentIndex(dlg.delimiter.findData(","))
    assert dlg.decimal.currentData() == "." and "cannot both" not in dlg.message.text()
    dlg.decimal.setCurrentIndex(dlg.decimal.findData(","))      # and the other way round
    assert dlg.delimiter.currentData() == ";" and dlg.dataset is not None
