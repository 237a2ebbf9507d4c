"""CSV format detection, reading and loading (nnviz.data.csvdata)."""
import numpy as np
import pytest

from nnviz.data.sources import regenerate

from nnviz.data import csvdata, csvparse, csvtable
from nnviz.data.csvdata import CsvFormat, load_dataset, read_columns, read_table, sniff
from nnviz.data.dataset import Dataset
from nnviz.errors import NnvizError


# --- sniff -----------------------------------------------------------------------------------

@pytest.mark.parametrize("content, fmt", [
    ("a,b,y\n1.5,2,0\n3,4.25,1\n", CsvFormat(",", ".", True, "utf-8")),
    ("a;b;y\n1,5;2;0\n3;4,25;1\n", CsvFormat(";", ",", True, "utf-8")),
    ("a;b;y\n1.5;2;0\n3;4.25;1\n", CsvFormat(";", ".", True, "utf-8")),
    ("a\tb\ty\n1.5\t2\t0\n3\t4\t1\n", CsvFormat("\t", ".", True, "utf-8")),
    ("\ufeffa,b,y\r\n1,2,0\r\n3,4,1\r\n", CsvFormat(",", ".", True, "utf-8-sig")),
    ("1,2,0\n3,4,1\n", CsvFormat(",", ".", False, "utf-8")),
    ("1,5;2,5\n3,5;4,5\n", CsvFormat(";", ",", False, "utf-8")),           # no header either
    ("M,17.9,10.3\nB,13.5,14.3\nM,20.5,11\n", CsvFormat(",", ".", False, "utf-8")),
    ("diagnosis,radius,texture\nM,17.9,10.3\nB,13.5,14.3\n", CsvFormat(",", ".", True, "utf-8")),
    ('name,"note; long",y\nBob,"a; b",1\nAnn,"c; d",0\n', CsvFormat(",", ".", True, "utf-8")),
    ("text\tcomment\nhello, world\t3\nbye, now\t4\n", CsvFormat("\t", ".", True, "utf-8")),
])
def test_sniff(write, content, fmt):
    assert sniff(write(content)) == fmt
    assert sniff(content.encode("utf-8")) == fmt


def test_sniff_reads_only_the_head(write):
    body = "a,b\n" + "1,2\n" * 50_000 + "\xff"
    path = write(body.encode("utf-8")[:-2] + b"\xff\xfe")       # invalid byte far away
    assert sniff(path, max_bytes=1024) == CsvFormat(",", ".", True, "utf-8")


def test_sniff_cut_in_a_multibyte_character(write):
    text = "a,b\n" + "é,1\n" * 1000
    assert sniff(text.encode("utf-8"), max_bytes=101).delimiter == ","


def test_sniff_problems(write, tmp_path):
    with pytest.raises(NnvizError, match="data.csv is empty"):
        sniff(write("\n  \n"))
    with pytest.raises(NnvizError, match="not valid UTF-8 text .*row 2"):
        sniff(write(b"\xef\xbb\xbfa,b\n1,\xff\n"))          # a UTF-8 mark over other bytes
    assert sniff(write(b"a,b\n1,\xff\n")).encoding == "cp1252"   # no mark: Windows Western
    with pytest.raises(NnvizError, match="file not found"):
        sniff(tmp_path / "nope.csv")


def test_csvformat_validation():
    with pytest.raises(NnvizError, match="delimiter"):
        CsvFormat(delimiter=";;")
    with pytest.raises(NnvizError, match="decimal mark must be"):
        CsvFormat(decimal=";")
    with pytest.raises(NnvizError, match="cannot both be ','"):
        CsvFormat(",", ",")
    with pytest.raises(NnvizError, match="encoding"):
        CsvFormat(encoding="klingon")
    fmt = CsvFormat(";", ",", False, "utf-8-sig")
    assert CsvFormat.from_dict(fmt.to_dict()) == fmt
    with pytest.raises(NnvizError, match="unknown CSV format setting 'quote'"):
        CsvFormat.from_dict({"quote": "'"})


# --- read_table ------------------------------------------------------------------------------

def test_read_table_basic(write):
    t = read_table(write("a,b,label\n1,2.5,M\n-3,4e2,B\n"))
    assert t.columns == ["a", "b", "label"]
    assert t.values.shape == (2, 3) and t.values.dtype == np.float64
    assert t.values[:, :2].tolist() == [[1.0, 2.5], [-3.0, 400.0]]
    assert np.isnan(t.values[:, 2]).all()
    assert t.text == {2: ["M", "B"]}
    assert t.row_numbers.tolist() == [2, 3]
    assert t.is_numeric(0) and not t.is_numeric(2)
    assert t.cell(1, 1) == "400" and t.cell(0, 2) == "M" and t.n_rows == 2 and t.n_columns == 3
    assert t.name == "data.csv"


def test_semicolon_decimal_comma_bom_crlf(write):
    t = read_table(write(b'\xef\xbb\xbf"x 1";x2;y\r\n1,5;-2,25;a,b\r\n3;4,0;c\r\n'))
    assert t.fmt == CsvFormat(";", ",", True, "utf-8-sig")
    assert t.columns == ["x 1", "x2", "y"]
    assert t.values[:, :2].tolist() == [[1.5, -2.25], [3.0, 4.0]]
    assert t.text == {2: ["a,b", "c"]}                         # labels keep their commas


def test_tab_file(write):
    t = read_table(write("p\tq\n1\t2\n3\t4\n"))
    assert t.fmt.delimiter == "\t" and t.values.tolist() == [[1, 2], [3, 4]]


def test_headerless_file_gets_c_names(write):
    t = read_table(write("1,2,0\n3,4,1\n5,6,0\n"))
    assert t.columns == ["c1", "c2", "c3"] and t.row_numbers.tolist() == [1, 2, 3]
    assert t.values[0].tolist() == [1, 2, 0]


def test_format_override(write):
    path = write("1,2,0\n3,4,1\n")
    t = read_table(path, CsvFormat(has_header=True))
    assert t.columns == ["1", "2", "0"] and t.n_rows == 1
    t = read_table(write("\ufeffa,b\n1,2\n", "bom.csv"), CsvFormat(encoding="utf-8"))
    assert t.columns == ["a", "b"]                             # the BOM never reaches a name


def test_blank_lines_are_skipped_and_rows_keep_file_numbers(write):
    t = read_table(write("\na,b\n1,2\n\n   \n3,4\n\n"))
    assert t.values.tolist() == [[1, 2], [3, 4]]
    assert t.row_numbers.tolist() == [3, 6]


def test_duplicate_and_empty_header_names(write):
    t = read_table(write("a,a,,b,a\n1,2,3,4,5\n"))
    assert t.columns == ["a", "a.1", "c3", "b", "a.2"]


def test_quoted_fields_fast_and_csv_paths_agree(write):
    simple = read_table(write('"a","b","label"\n1,"2","M"\n3,"","B"\n'))
    assert simple.columns == ["a", "b", "label"]
    assert simple.values[:, 0].tolist() == [1, 3] and simple.values[0, 1] == 2
    assert np.isnan(simple.values[1, 1]) and simple.text == {2: ["M", "B"]}
    hard = read_table(write('a,b,label\n1,2,"M, big"\n3,4,"he said ""hi"""\n5,6,"two\nlines"\n7,8,x\n',
                            "hard.csv"))
    assert hard.values[:, :2].tolist() == [[1, 2], [3, 4], [5, 6], [7, 8]]
    assert hard.text == {2: ["M, big", 'he said "hi"', "two\nlines", "x"]}
    assert hard.row_numbers.tolist() == [2, 3, 4, 6]            # a record's first line


def test_many_blocks(write, monkeypatch):
    monkeypatch.setattr(csvparse, "_BLOCK_CHARS", 64)
    monkeypatch.setattr(csvparse, "_CSV_ROWS", 7)
    lines = ["a,b"] + [f"{i},{i * 0.5}" for i in range(200)] + ["200,oops"]
    t = read_table(write("\n".join(lines) + "\n"))
    assert t.n_rows == 201 and t.values[:200, 0].tolist() == list(range(200))
    assert t.row_numbers.tolist() == list(range(2, 203))
    assert t.text[1][:3] == ["0", "0.5", "1"] and t.text[1][-1] == "oops"   # rebuilt text
    quoted = ["a,b"] + [f'{i},"{i}"' for i in range(50)] + ['50,"x,y"'] + [f"{i},{i}" for i in range(51, 80)]
    t = read_table(write("\n".join(quoted) + "\n", "q.csv"))
    assert t.n_rows == 80 and t.values[:50, 1].tolist() == list(range(50))
    assert t.text[1][50] == "x,y" and t.row_numbers[-1] == 81


def test_preview_reads_the_first_rows(write):
    path = write("a,b\n" + "".join(f"{i},{i}\n" for i in range(100)))
    assert read_table(path, max_rows=5).values[:, 0].tolist() == [0, 1, 2, 3, 4]
    assert read_table(write("1,2\n3,4\n5,6\n", "h.csv"), max_rows=1).n_rows == 1


@pytest.mark.parametrize("content, message", [
    (b"", "data.csv is empty"),
    (b"\n\r\n  \n", "data.csv is empty"),
    (b"a,b,c\n", "data.csv has a header row but no data rows"),
    (b"a,b,c\n\n\n", "data.csv has a header row but no data rows"),
    (b"a,b,c,d,e\n" + b"1,2,3,4,5\n" * 5 + b"1,2,3,4\n", "data.csv row 7 has 4 fields, expected 5"),
    (b'a,b,c\n1,2,3\n"x",2,3,4\n', "data.csv row 3 has 4 fields, expected 3"),
    (b'a,b,c\n1,"2,5",3\n4,5\n', "data.csv row 3 has 2 fields, expected 3"),
    (b"\xef\xbb\xbfa,b\n1,2\n3,4\n5,\xe96\n",
     "data.csv is not valid UTF-8 text (a bad byte in row 4); save it as UTF-8"),
    (b'a,b\n1,"2\n3,4\n', "data.csv row 2 cannot be read as CSV: a quoted field is never closed"),
    (b'a,b\n1,2\n3,"4"x\n', "data.csv row 3 cannot be read as CSV: a closing quote is followed by "
                              'more text (write a quote inside a quoted field as "")'),
    (b'"a,b\n1,2\n', "data.csv row 1 cannot be read as CSV: a quoted field is never closed"),
])
def test_read_table_problems(write, content, message):
    with pytest.raises(NnvizError) as e:
        read_table(write(content))
    assert str(e.value) == message


def test_invalid_utf8_beyond_the_sniffed_head(write):
    path = write(b"a,b\n" + b"1,2\n" * 30_000 + b"3,\xff\n")
    with pytest.raises(NnvizError, match=r"not valid UTF-8 .*row 30002"):
        read_table(path)


def test_missing_folder_and_too_big(write, tmp_path):
    with pytest.raises(NnvizError, match="cannot read .*nope.csv: file not found"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(NnvizError, match="is a folder"):
        read_table(tmp_path)
    path = write("a,b\n" + "1,2\n" * 1000)
    with pytest.raises(NnvizError) as e:
        read_table(path, max_bytes=1024)
    assert str(e.value) == "data.csv is 4 KB, over the 1 KB limit; raise the limit to load it"
    assert csvtable.human_size(300 * 1024 ** 2) == "300 MB"


# --- load_dataset ----------------------------------------------------------------------------

def test_label_mapping_m_b(write):
    d = load_dataset(write("radius,texture,diagnosis\n17.9,10.3,M\n13.5,14.3,B\n20.5,11, M \n"),
                     "diagnosis")
    assert isinstance(d, Dataset)
    assert d.task == "classification" and d.class_names == ("B", "M")
    assert d.y.tolist() == [1.0, 0.0, 1.0]
    assert d.inputs == ["radius", "texture"] and d.target == "diagnosis" and d.name == "data.csv"
    assert d.X.tolist() == [[17.9, 10.3], [13.5, 14.3], [20.5, 11.0]]
    assert d.X.flags.c_contiguous
    assert d.source["dropped_rows"] == 0 and d.source["features"] == ["radius", "texture"]


def test_numeric_labels_sort_numerically(write):
    d = load_dataset(write("x,y\n1,10\n2,9\n3,10\n"), "y")
    assert d.class_names == ("9", "10") and d.y.tolist() == [1.0, 0.0, 1.0]
    d = load_dataset(write("x,y\n1,0.5\n2,2\n", "f.csv"), "y")
    assert d.class_names == ("0.5", "2") and d.y.tolist() == [0.0, 1.0]


def test_regression_is_proposed_for_many_numbers(write):
    d = load_dataset(write("x,price\n1,3.5\n2,4\n3,10\n"), "price")
    assert d.task == "regression" and d.class_names is None and d.y.tolist() == [3.5, 4, 10]


def test_explicit_task_and_feature_subset(write):
    path = write("a,b,c,y\n1,2,3,0\n4,5,6,1\n7,8,9,1\n")
    d = load_dataset(path, "y", features=["c", "a"], task="regression")
    assert d.task == "regression" and d.inputs == ["c", "a"]
    assert d.X.tolist() == [[3, 1], [6, 4], [9, 7]] and d.y.tolist() == [0, 1, 1]
    d = load_dataset(path, "a", features=["y"])
    assert d.task == "regression" and d.X[:, 0].tolist() == [0, 1, 1]


def test_default_features_skip_entirely_empty_columns(write):
    d = load_dataset(write("a,b,y,\n1,2,0,\n3,4,1,\n"), "y")
    assert d.inputs == ["a", "b"]


def test_target_in_headerless_file(write):
    d = load_dataset(write("1;2;0\n3;4;1\n5;6;0\n"), "c3")
    assert d.inputs == ["c1", "c2"] and d.y.tolist() == [0, 1, 0]


def test_decimal_comma_dataset_and_source_round_trip(write):
    path = write("a;b;y\n1,5;2;0,1\n3;4,25;0,7\n5;6;1,9\n")
    d = load_dataset(path, "y")
    assert d.X.tolist() == [[1.5, 2.0], [3.0, 4.25], [5.0, 6.0]] and d.y.tolist() == [0.1, 0.7, 1.9]
    assert d.source["format"] == {"delimiter": ";", "decimal": ",", "has_header": True,
                                  "encoding": "utf-8"}
    again = regenerate(d.source)
    assert np.array_equal(again.X, d.X) and np.array_equal(again.y, d.y)


def test_drop_missing(write):
    path = write("a,b,y\n1,2,0\n,3,1\n4,NA,1\n5,6,\n7,inf,0\n8,9,1\n10,nan,0\n")
    d = load_dataset(path, "y", drop_missing=True)
    assert d.X.tolist() == [[1, 2], [8, 9]] and d.y.tolist() == [0, 1]
    assert d.source["dropped_rows"] == 5 and d.source["drop_missing"] is True
    d = load_dataset(path, "y", features=["a"], drop_missing=True)
    assert d.X[:, 0].tolist() == [1, 4, 7, 8, 10] and d.source["dropped_rows"] == 2


@pytest.mark.parametrize("content, target, kwargs, message", [
    ("a,b,c\n1,2,3\n4,5,6\n", "label", {},
     "no column 'label' in data.csv: columns are a, b, c"),
    ("a,b,c\n1,2,3\n4,5,6\n", "c", {"features": ["a", "z"]},
     "no column 'z' in data.csv: columns are a, b, c"),
    ("age,y\n" + "1,0\n" * 10 + "abc,1\n", "y", {},
     "data.csv row 12, column 'age': 'abc' is not a number"),
    ("age,y\n1,0\n2,1\n3,1\n,0\n", "y", {},
     "data.csv row 5, column 'age' is empty or NaN (a missing value); drop rows with missing values to skip it"),
    ("age,y\n1,0\n2,1\n?,1\n,0\n", "y", {},
     "data.csv row 4, column 'age': '?' marks a missing value; drop rows with missing values to skip it"),
    ("age,y\n1,0\nq,1\n3,1\n,0\n", "y", {"features": ["age"], "drop_missing": False},
     "data.csv row 3, column 'age': 'q' is not a number"),
    ("age,w,y\n1,a,0\n2,,1\n", "y", {"features": ["w", "age"]},
     "data.csv row 2, column 'w': 'a' is not a number"),
    ("w,y\n1,0\n ,1\nb,1\n", "y", {},
     "data.csv row 3, column 'w' is empty; drop rows with missing values to skip it"),
    ("age,w,y\n1,1,0\n2,x,1\n3,,1\n,4,0\n", "y", {"features": ["age"]},
     "data.csv row 5, column 'age' is empty or NaN (a missing value); drop rows with missing values to skip it"),
    ("age,y\n1,0\n2,1\nnan,1\n", "y", {},
     "data.csv row 4, column 'age' is empty or NaN (a missing value); drop rows with missing values to skip it"),
    ("age,y\n1,0\n2,1\n-inf,1\n", "y", {},
     "data.csv row 4, column 'age' holds -infinity or a number too large to store (beyond "
     "±1.8e308), not a finite number; drop rows with missing values to skip it"),
    ("age,y\n1,0\n1e400,1\n", "y", {},     # (it quoted 'inf', which the file never said)
     "data.csv row 3, column 'age' holds infinity or a number too large to store (beyond "
     "±1.8e308), not a finite number; drop rows with missing values to skip it"),
    ("age,y\n1,0\nNA,1\n2,1\n", "y", {},
     "data.csv row 3, column 'age': 'NA' marks a missing value; drop rows with missing values to skip it"),
    ("age,y\n1,0\nx,1\ninf,1\n", "y", {},
     "data.csv row 3, column 'age': 'x' is not a number"),
    ("age,y\n1,0\n2,\n3,1\n", "y", {},
     "data.csv row 3, column 'y' is empty or NaN (a missing value); drop rows with missing values to skip it"),
    ("age,y\n1,M\n2,\n3,B\n", "y", {},
     "data.csv row 3, column 'y' is empty; drop rows with missing values to skip it"),
    ("a,b,y\n1,2,0\n3,,1\nq,4,0\n", "y", {"drop_missing": True},
     "data.csv row 4, column 'a': 'q' is not a number"),
    ("a,b\n1,\n,2\n", "b", {},                    # the earliest row wins, target or not
     "data.csv row 2, column 'b' is empty or NaN (a missing value); drop rows with missing values to skip it"),
    ("x,y\n1,a\n2,a\n", "y", {},
     "target column 'y' in data.csv has only one class ('a'); classification needs two, or this "
     "class named as the positive class (one class against the rest)"),
    ("x,y\n1,5\n2,5\n", "y", {},
     "target column 'y' in data.csv has the same value (5) in every row, so the task cannot be "
     "told from it; state the task (classification or regression)"),
    ("x,y\n1,M\n2,B\n", "y", {"task": "regression"},
     "data.csv row 2, column 'y': 'M' is not a number"),
    ("x,y\n1,0\n", "y", {}, "data.csv has 1 usable data row, from which the task cannot be told; "
     "state the task (classification or regression)"),
    ("x,y\n1,0\n,1\n2,\n", "y", {"drop_missing": True},
     "data.csv has 1 usable data row after dropping 2 rows with missing values, from which the "
     "task cannot be told; state the task (classification or regression)"),
    ("x,y\n1,0\n2,1\n", "y", {"features": ["x", "y"]},
     "the target column 'y' cannot also be an input"),
    ("x,z,y\n1,1,0\n2,2,1\n", "y", {"features": ["x", "x"]}, "column 'x' is listed twice in the inputs"),
    ("x,y\n1,0\n2,1\n", "y", {"features": "x"}, "features must be a list of column names, not 'x'"),
    ("x,y\n1,0\n2,1\n", "y", {"features": []}, "data.csv has no input columns besides the target 'y'"),
    ("y\n1\n0\n", "y", {}, "data.csv has no input columns besides the target 'y'"),
    ("x,y\n1,0\n2,1\n", "y", {"task": "ranking"},
     "unknown task 'ranking' (choose from: classification, regression)"),
])
def test_load_dataset_problems(write, content, target, kwargs, message):
    with pytest.raises(NnvizError) as e:
        load_dataset(write(content), target, **kwargs)
    assert str(e.value) == message


def test_load_dataset_passes_file_problems_on(write, tmp_path):
    with pytest.raises(NnvizError, match="file not found"):
        load_dataset(tmp_path / "none.csv", "y")
    with pytest.raises(NnvizError, match="over the 1 KB limit"):
        load_dataset(write("x,y\n" + "1,0\n" * 600), "y", max_bytes=1024)


def test_read_columns_for_prediction(write):
    path = write("b,a,extra\n1,2,x\n3,4,y\n")
    X = read_columns(path, ["a", "b"])
    assert X.tolist() == [[2, 1], [4, 3]] and X.flags.c_contiguous
    with pytest.raises(NnvizError, match="no column 'c'"):
        read_columns(path, ["c"])
    with pytest.raises(NnvizError, match="row 3, column 'extra': 'y' is not a number"):
        read_columns(write("extra\n1\ny\n", "e.csv"), ["extra"])


def test_never_evaluates_cells(write):
    with pytest.raises(NnvizError, match=r"row 2, column 'x': .__import__\('os'\). is not a number"):
        load_dataset(write("x,y\n__import__('os'),1\n2,0\n"), "y")


def test_other_encodings_can_be_chosen(write):
    path = write("größe,y\n1,0\n2,1\n".encode("latin-1"))
    assert read_table(path).columns == ["größe", "y"]      # detected: Windows Western
    with pytest.raises(NnvizError, match="not valid UTF-8 text"):
        read_table(path, CsvFormat(encoding="utf-8"))
    t = read_table(path, CsvFormat(encoding="latin-1"))
    assert t.columns == ["größe", "y"]
    with pytest.raises(NnvizError, match="not valid ascii text"):
        read_table(path, CsvFormat(encoding="ascii"))


def test_none_is_a_label_not_a_missing_value(write):
    d = load_dataset(write("x,severity\n1,None\n2,Mild\n3,None\n"), "severity")
    assert d.class_names == ("Mild", "None") and d.y.tolist() == [1, 0, 1]


# --- one class against the rest, labels, writing ---------------------------------------------

IRIS3 = "x,species\n1,setosa\n2,versicolor\n3,virginica\n4,setosa\n"


def test_target_labels_sorted_as_written(write):
    t = read_table(write(IRIS3))
    assert csvdata.target_labels(t, "species") == ["setosa", "versicolor", "virginica"]
    t = read_table(write("x,y\n1,10\n2,2\n3,10\n4,2.5\n"))
    assert csvdata.target_labels(t, "y") == ["2", "2.5", "10"]   # numbers numerically


def test_positive_class_one_vs_rest(write):
    ds = load_dataset(write(IRIS3), "species", positive_class="versicolor")
    assert ds.task == "classification"
    assert ds.y.tolist() == [0.0, 1.0, 0.0, 0.0]
    assert ds.class_names == ("not versicolor", "versicolor")
    assert ds.source["positive_class"] == "versicolor"
    numeric = load_dataset(write("x,y\n1,1\n2,2\n3,3\n"), "y", positive_class="3")
    assert numeric.y.tolist() == [0.0, 0.0, 1.0]


@pytest.mark.parametrize("kwargs, message", [
    ({"positive_class": "rose"}, "target column 'species' in data.csv has no label 'rose' "
                                 "(labels: setosa, versicolor, virginica)"),
    ({"positive_class": "setosa", "task": "regression"},
     "one-vs-rest needs a classification task, not regression"),
])
def test_positive_class_problems(write, kwargs, message):
    with pytest.raises(NnvizError) as e:
        load_dataset(write(IRIS3), "species", **kwargs)
    assert str(e.value) == message


def test_dataset_from_table_equals_load_dataset(write):
    path = write("a;b;label\n1,5;2;M\n3;4,25;B\n5;6;M\n")
    table = read_table(path)
    a = csvdata.dataset_from_table(table, "label", ["b", "a"])
    b = load_dataset(path, "label", features=["b", "a"])
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert a.inputs == b.inputs == ["b", "a"] and a.class_names == b.class_names == ("B", "M")


@pytest.mark.parametrize("content, target, kwargs", [
    ('x,"a, b",label\n0.1,2,M\n1e-300,-3.5,B\n2,0.30000000000000004,M\n', "label", {}),
    ("x,y\n1,0.5\n2,1.25\n3,-7\n", "y", {}),
    (IRIS3, "species", {"positive_class": "virginica"}),
    ("x,y\n1,1\n2,2\n3,3\n", "y", {"positive_class": "1"}),   # "not 1" sorts after "1"
])
def test_write_dataset_round_trip(write, tmp_path, content, target, kwargs):
    ds = load_dataset(write(content), target, **kwargs)
    out = tmp_path / "saved.csv"
    csvdata.write_dataset(ds, out)
    back = load_dataset(out, ds.target, task=ds.task)
    np.testing.assert_array_equal(back.X, ds.X)
    np.testing.assert_array_equal(back.y, ds.y)
    assert back.inputs == ds.inputs


# --- the numeric fast path, memory ---------------------------------------------------------

def _per_cell_only(monkeypatch):
    """Turn off the whole-block NumPy parse: every block is split into cells."""
    monkeypatch.setattr(csvparse, "_numeric_block", lambda *a: (None, 0))


@pytest.mark.parametrize("content", [
    "a,b,c\n1,2.5,-3e2\n.5,7.,+4\n",
    "a,b,c\r\n1,2.5,-3e2\r\n.5,7.,+4",                            # CRLF, no final newline
    "a;b;c\n1,5;-2,25;3\n4;5,5;6\n",                              # decimal comma
    '"a","b","c"\n"1","2",3\n4,"5","6"\n',                         # quotes around whole fields
    "a\tb\tc\n 1 \t2\t3\n4\tinf\tnan\n",                          # spaces, inf, nan
    "a,b,c\n1,2,3\n\n4,5,6\n",                                    # a blank line
    "a,b,c\n1,2,3\n4,,6\n7,NA,x\n1_0,١,3\n",                        # missing, text, odd numbers
    "1,2,3\n4,5,6\n",                                             # no header
    "a,b,label\n1,2.5,M\n-3,4,B\n5,6,M",                             # a label column last
    "label;a;b\r\nyes;1,5;2\r\nno;3;4,25\r\n",                        # first; CRLF; decimal comma
    'a,b,c\n1,2,"M"\n3,4,"B"\n5,6,\n7,8,NA\n9,10,3\n',                # quoted, empty, NA, a number
    "x,a,y\nM,1,B\nB,2,M\n",                                        # labels first and last
    "a,label,b\n1,M,2\n3,B,4\n",                                    # a label in the middle
    "a,b,label\n1,NA,M\n3,4,B\n",                                   # a missing number beside it
    "a,b,label\n1,2,3\n3,4,B\n",                                    # the first row's label a number
])
def test_numeric_block_path_reads_what_the_cell_path_reads(write, monkeypatch, content):
    path = write(content)
    fast = read_table(path)
    _per_cell_only(monkeypatch)
    slow = read_table(path)
    assert fast.columns == slow.columns and fast.text == slow.text
    assert fast.values.tobytes() == slow.values.tobytes()         # NaN and -0.0 included
    assert fast.row_numbers.tolist() == slow.row_numbers.tolist()


def test_label_column_blocks_read_what_the_cell_path_reads(write, monkeypatch):
    """Many blocks of numbers with a text label (first or last), cut at max_rows."""
    monkeypatch.setattr(csvparse, "_BLOCK_CHARS", 512)
    rng = np.random.default_rng(5)
    v = rng.standard_normal((3000, 3)).round(4)
    labels = rng.choice(["malignant", "benign", "", "7"], 3000)
    for first in (True, False):
        rows = [[lab, *map(repr, r)] if first else [*map(repr, r), lab] for r, lab in zip(v.tolist(), labels)]
        path = write("\n".join(",".join(r) for r in [["l", "a", "b", "c"]] + rows) + "\n",
                     f"labels{first}.csv")
        for max_rows in (None, 1234):
            with monkeypatch.context() as mp:
                fast = read_table(path, max_rows=max_rows)
                mp.setattr(csvparse, "_numeric_block", lambda *a: (None, 0))
                slow = read_table(path, max_rows=max_rows)
            assert fast.text == slow.text and fast.values.tobytes() == slow.values.tobytes()
            assert fast.row_numbers.tolist() == slow.row_numbers.tolist()


def test_rows_beyond_the_first_block_estimate(write, monkeypatch):
    # Long rows first, then short ones: the array reserved from the first block's bytes per
    # row is too small and grows; the preview stops at max_rows.
    monkeypatch.setattr(csvparse, "_BLOCK_CHARS", 256)
    lines = ["a,b"] + [f"{i}.000000001,{i}.000000001" for i in range(20)] + [f"{i},{i}" for i in range(20, 3000)]
    path = write("\n".join(lines) + "\n")
    t = read_table(path)
    assert t.n_rows == 3000 and t.values[:, 1].tolist() == [float(s.split(",")[1]) for s in lines[1:]]
    assert t.row_numbers.tolist() == list(range(2, 3002))
    assert read_table(path, max_rows=2500).values[:, 0].tolist() == t.values[:2500, 0].tolist()


@pytest.mark.parametrize("features, drop_missing, dropped", [
    (None, False, False),                 # every column but b (entirely empty) and the target
    (["a", "c", "d"], False, False),
    (["d", "b", "a"], True, True),        # row 18 has no b: dropped
])
def test_load_dataset_builds_x_in_the_table_memory_as_a_copy_would(write, features, drop_missing,
                                                                   dropped):
    rng = np.random.default_rng(3)
    v = rng.standard_normal((9000, 4)).round(3)
    cells = [[repr(x) for x in r] + ["M" if r[0] > 0 else "B"] for r in v.tolist()]
    if features is None:
        for r in cells:
            r[1] = ""
    else:
        cells[16][1] = ""
    path = write("a,b,c,d,label\n" + "\n".join(",".join(r) for r in cells) + "\n")
    table = read_table(path)
    kept = csvdata.dataset_from_table(table, "label", features, drop_missing=drop_missing)
    loaded = load_dataset(path, "label", features, drop_missing=drop_missing)
    np.testing.assert_array_equal(loaded.X, kept.X)
    np.testing.assert_array_equal(loaded.y, kept.y)
    assert loaded.inputs == kept.inputs and loaded.X.flags.c_contiguous
    cols = [["a", "b", "c", "d"].index(f) for f in loaded.inputs]
    keep = np.ones(len(v), bool)
    keep[16] = not dropped
    np.testing.assert_array_equal(loaded.X, v[keep][:, cols])
    np.testing.assert_array_equal(loaded.y, (v[keep][:, 0] > 0).astype(float))
    assert loaded.source["dropped_rows"] == int(dropped)
    assert table.values.shape == (9000, 5)                        # the kept table is intact


@pytest.mark.parametrize("label", [False, True])
def test_loading_holds_at_most_two_copies_of_the_table(write, monkeypatch, label):
    import tracemalloc

    monkeypatch.setattr(csvparse, "_BLOCK_CHARS", 1 << 14)
    n, k = 20_000, 10
    rng = np.random.default_rng(0)
    v = (rng.standard_normal((n, k - 1)) * 100).round(6)
    y = rng.integers(0, 2, n)
    labels = np.where(y == 1, "M", "B") if label else y.astype(str)
    text = "".join(",".join(f"{x:.6f}" for x in r) + f",{t}\n" for r, t in zip(v, labels))
    path = write(",".join(f"f{j}" for j in range(k - 1)) + ",label\n" + text)
    del text
    load_dataset(path, "label")            # modules NumPy imports on first use are not counted
    tracemalloc.start()
    try:
        ds = load_dataset(path, "label")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(ds.X, v)
    np.testing.assert_array_equal(ds.y, y)
    assert peak <= 2 * n * k * 8, f"peak {peak / (n * k * 8):.2f} copies of the table"


@pytest.mark.parametrize("content", [
    "a;b;y\n1,5;2;0\n3;4,25;1\n2;2;0\n;;\n;;\n",                 # Excel's empty rows at the end
    'a;b;y\n"1,5";2;x\n3;4,25;z\n;;\n2;2;x\n',                     # quoted: the csv module's path
])
def test_rows_of_delimiters_only_are_blank_lines(write, content):
    """A spreadsheet writes an empty row as ;;; — it was read as a row of missing values and
    refused ("row 5, column 'a' is empty")."""
    ds = load_dataset(write(content), "y")
    assert ds.n_samples == 3
