"""The network canvas's captions: each column's name under it and each layer's matrix between
two columns, fitted to the room (a mixin of :class:`~ui.network_view.NetworkView`)."""
from __future__ import annotations

from nnviz.core.stages import sup

from .network_items import FAINT, GRADIENT_INK

CAPTION_GAP = 8.0   # px at least between two columns' captions


class CanvasCaptions:
    """Uses the view's ``_column_captions``, ``_caption_texts``, ``_matrix_captions``,
    ``_column_step``, ``_grad``, ``_focus_layer()`` and ``session``."""

    def _fit_captions(self, xs, width: float, y: float):
        """Each column's caption under it: "H⁽¹⁾ = tanh", or in every column only "H⁽¹⁾" when a
        whole one would run into the next or past the canvas's edge (a deep network in a
        narrow window; each unit's tooltip names its activation)."""
        captions = self._column_captions
        for whole in (True, False):
            for text, (long, short) in zip(captions, self._caption_texts):
                text.set_text(long if whole else short)
            ends = [(x - t.size()[0] / 2, x + t.size()[0] / 2) for x, t in zip(xs, captions)]
            if (ends[0][0] >= 0 and ends[-1][1] <= width
                    and all(a[1] + CAPTION_GAP <= b[0] for a, b in zip(ends, ends[1:]))):
                break
        for x, text in zip(xs, captions):
            text.place(x, y)

    def _matrix_caption(self, k: int, focus, shape: bool) -> str:
        sizes = self.session.network.sizes
        name = f"{'∂E/∂' if k == focus else ''}W{sup(k + 1)}"
        return f"{name}  {sizes[k]}×{sizes[k + 1]}" if shape else name

    def _fit_matrix_captions(self):
        """Each layer's caption between its columns: "W⁽ᵏ⁾ 2×4", or "∂E/∂W⁽ᵏ⁾ 2×4" in violet while
        a dense backward stage colours that layer's edges by the gradient; where it does not
        fit between its columns' captions, its name alone (the gradient's above all: it says
        what the edges show), else nothing."""
        focus = self._focus_layer() if self._grad is not None else None
        for k, text in enumerate(self._matrix_captions):
            text.color = GRADIENT_INK if k == focus else FAINT
            widest = max(self._column_captions[c].size()[0] for c in (k, k + 1))
            for shape in (True, False):
                text.set_text(self._matrix_caption(k, focus, shape))
                text.visible = (text.size()[0] + widest) / 2 + 24 <= self._column_step / 2
                if text.visible:
                    break
