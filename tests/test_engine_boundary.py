"""The engine never imports Qt, pyqtgraph or the app."""
import subprocess
import sys
import textwrap


def test_engine_imports_and_trains_with_qt_unimportable():
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph', 'ui', 'shiboken6'):
                    raise ImportError('blocked: ' + name)
        sys.meta_path.insert(0, Block())
        import nnviz, nnviz.cli.main, nnviz.io.weights_io, nnviz.core.grid, nnviz.data.csvdata
        from nnviz.experiment import Config, build
        exp = build(Config(seed=0))
        exp.trainer.steps(10)
        bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'ui')]
        assert not bad, bad
        print('ok')
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
