"Notebooks are the source: exporting and cleaning them must not change any tracked file."
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _state():
    return subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=ROOT, capture_output=True, text=True, check=True).stdout, \
           subprocess.run(['git', 'diff'], cwd=ROOT, capture_output=True, text=True, check=True).stdout

def test_export_and_clean_change_nothing():
    before = _state()
    bindir = Path(sys.executable).parent
    for cmd in ('nbdev-export', 'nbdev-clean'):
        subprocess.run([str(bindir/cmd)], cwd=ROOT, check=True, capture_output=True)
    after = _state()
    changed = sorted(set(after[0].splitlines()) - set(before[0].splitlines()))
    assert before == after, 'nbdev-export/nbdev-clean changed tracked files (run them and commit):\n' + '\n'.join(changed)
