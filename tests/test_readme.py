"README.md is generated from nbs/index.ipynb; it must be up to date, and its commands must be the ones CI runs."
import re, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from make_readme import render

def test_readme_matches_index():
    assert (ROOT/'README.md').read_text() == render(), 'README.md is stale: run python tools/make_readme.py'

def test_ci_runs_the_readme_test_command():
    cmds = re.findall(r'```sh\n(.*?)\n```', (ROOT/'README.md').read_text(), re.S)
    test_cmd = next(c for c in cmds if 'pytest' in c)
    assert test_cmd.strip() in (ROOT/'.ci'/'run').read_text()
