"Shared fixtures: the repository root and the optional scenes9 data."
import pytest
from pathlib import Path
from scene_classify.core import find_scenes9

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture(scope='session')
def root(): return ROOT

@pytest.fixture(scope='session')
def scenes9():
    p = find_scenes9(ROOT)
    if p is None: pytest.skip('scenes9 not found (looked for ../shared/data/scenes9 and $SCENES9): real-data checks skipped')
    return p
