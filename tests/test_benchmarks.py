"Importing a benchmarks/ script does none of its work (no arguments parsed, no data read, no output); it has `main()`."
import os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT/'benchmarks').glob('*.py'))
# Imports the file given as the first argument as a module, then replaces the arguments with an unknown option: a
# script that parses them at import fails there, one that looks for scenes9 finds the test's empty folder and stops.
IMPORT = '''import importlib.util, sys
path = sys.argv[1]
sys.argv = ['x', '--definitely-not-an-option']
spec = importlib.util.spec_from_file_location('benchmark_under_test', path)
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
if not callable(getattr(m, 'main', None)): sys.exit(f'{path} has no callable main()')
'''

def import_script(path:Path, tmp_path:Path)->subprocess.CompletedProcess:
    "Import `path` in a fresh interpreter, with SCENES9 an empty folder and nonsense on the command line."
    (tmp_path/'scenes9').mkdir()
    # warnings silenced: the libraries' own (deprecations) would hide whether the script itself writes to stderr
    env = {**os.environ, 'SCENES9': str(tmp_path/'scenes9'), 'MPLBACKEND': 'Agg', 'PYTHONWARNINGS': 'ignore'}
    return subprocess.run([sys.executable, '-c', IMPORT, str(path)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)

@pytest.mark.parametrize('script', SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_import_does_no_work_and_main_exists(script, tmp_path):
    r = import_script(script, tmp_path)
    assert r.returncode == 0, f'importing {script.name} failed (does it run its work at import?):\n{r.stderr[-3000:]}'
    out = r.stdout + r.stderr
    assert out == '', f'importing {script.name} printed (does it run its work at import?):\n{out[-3000:]}'
