"README.md is generated from nbs/index.ipynb; it must be up to date, and its commands must be the ones CI runs."
import re, sys
from pathlib import Path
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from make_readme import render

def test_readme_matches_index():
    assert (ROOT/'README.md').read_text() == render(), 'README.md is stale: run python tools/make_readme.py'

def test_ci_runs_the_readme_commands():
    "CI runs the README's main command (core install, the demo) in a fresh venv, then its test command, both verbatim."
    cmds = re.findall(r'```sh\n(.*?)\n```', (ROOT/'README.md').read_text(), re.S)
    main_cmd = next(c for c in cmds if 'scene-classify demo' in c).strip()
    test_cmd = next(c for c in cmds if 'pytest' in c).strip()
    assert 'pip install -e . ' in main_cmd and '[' not in main_cmd, main_cmd # no extras
    ci = (ROOT/'.ci'/'run').read_text()
    assert 'rm -rf .venv' in ci and ci.index('rm -rf .venv') < ci.index(main_cmd) < ci.index(test_cmd)
