"Run every notebook with `nbdev-test`, one pytest test each, so pytest's summary counts them."
import os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted(p for p in (ROOT/'nbs').rglob('*.ipynb') if not any(part.startswith(('_', '.')) for part in p.relative_to(ROOT/'nbs').parts))
FLAGS = os.environ.get('NBDEV_TEST_FLAGS', '')

@pytest.mark.parametrize('nb', NBS, ids=[str(p.relative_to(ROOT/'nbs')) for p in NBS])
def test_notebook(nb):
    exe = Path(sys.executable).with_name('nbdev-test')
    cmd = [str(exe), str(nb)] + (['--flags', FLAGS] if FLAGS else [])
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, 'MPLBACKEND': 'Agg'})
    assert r.returncode == 0, f'{nb.name} failed under nbdev-test:\n{r.stdout[-6000:]}\n{r.stderr[-6000:]}'
