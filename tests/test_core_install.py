"""A plain install (no extras) imports every module and starts every command.

Extras installed for development (nbdev, pytest, ...) are hidden from a subprocess by an import hook, so a module
that needs a package outside the core dependencies fails here as it would for a user."""
import json, re, subprocess, sys
from importlib.metadata import distribution, packages_distributions, PackageNotFoundError
from pathlib import Path
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]

def _name(d:str)->str: return re.sub(r'[-_.]+', '-', d).lower()

def core_closure(root:str='scene_classify')->set:
    "Names of the distributions a plain `pip install` of `root` brings: its dependencies without extras, transitively."
    seen, todo = set(), [root]
    while todo:
        try: dist = distribution(todo.pop())
        except PackageNotFoundError: continue
        if _name(dist.metadata['Name']) in seen: continue
        seen.add(_name(dist.metadata['Name']))
        for r in map(Requirement, dist.requires or []):
            if r.marker is None or r.marker.evaluate({'extra': ''}): todo.append(r.name)
    return seen

def hidden_modules(closure:set)->list:
    "Top-level modules installed here by distributions outside `closure`."
    return sorted(m for m,ds in packages_distributions().items() if not {_name(d) for d in ds} & closure)

HIDE = '''
import importlib.abc, sys, json
HIDDEN = set(json.loads(sys.argv[1]))
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition('.')[0] in HIDDEN: raise ModuleNotFoundError(f'{name} is not a core dependency', name=name)
sys.meta_path.insert(0, Hide())
'''

CHECK = HIDE + '''
import importlib, pkgutil, contextlib, io
import scene_classify
for m in pkgutil.iter_modules(scene_classify.__path__): importlib.import_module(f'scene_classify.{m.name}')
from scene_classify.cli import main, COMMANDS
for cmd in COMMANDS:
    with contextlib.redirect_stdout(io.StringIO()):
        try: main([cmd, '--help'])
        except SystemExit as e: assert e.code == 0, (cmd, e.code)
print('ok', len(COMMANDS))
'''

def _run(code:str, hidden:list):
    return subprocess.run([sys.executable, '-c', code, json.dumps(hidden)], cwd=ROOT, capture_output=True, text=True, timeout=600)

def test_every_module_and_command_needs_only_core_dependencies():
    closure = core_closure()
    assert {'fastai', 'scikit-learn', 'accelerate'} <= closure and 'nbdev' not in closure, sorted(closure)
    r = _run(CHECK, hidden_modules(closure))
    assert r.returncode == 0 and r.stdout.startswith('ok'), r.stderr[-3000:]

def test_the_hook_catches_a_missing_package():
    "The check can fail: without accelerate, importing the pipeline fails as it did for users when it was an extra."
    r = _run(CHECK, hidden_modules(core_closure() - {'accelerate'}))
    assert r.returncode != 0 and "name 'Accelerator' is not defined" in r.stderr, r.stderr[-3000:]
