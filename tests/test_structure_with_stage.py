"""A change of structure while the step-through shows a stage."""
from PySide6.QtWidgets import QApplication


def test_fewer_layers_while_a_stage_is_shown(kept_layout, window):
    """Dropping a layer with the step-through showing a stage: the views hear of the dropped
    stage after the new structure, and get the new network's grid outputs."""
    s = window.session
    s.set_hidden([4, 3])
    for _ in range(3):
        s.step_operation()
    s.set_hidden([4])
    QApplication.processEvents()
    assert [a.shape[-1] for a in s.grid_outputs()] == [4, 1]
