"""Run the tutorials and save them with their outputs, so that the docs (which nbdev builds without executing
notebooks) show their tables and figures.

Each tutorial runs in its own folder on the demo data (small and seeded), cells marked `#| slow` or `#| gpu` are
skipped, and the notebook is written back with its outputs, then cleaned by `nbdev-clean` like every notebook.

Usage: python tools/run_tutorials.py [NAME ...]   (default: every notebook in nbs/tutorials)"""
import os, re, subprocess, sys
from pathlib import Path
from fastcore.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

ROOT = Path(__file__).resolve().parents[1]
SKIP = re.compile(r'^#\|\s*(slow|gpu)\b', re.M)

def run(nb_path:Path):
    "Execute `nb_path` in its folder, skipping slow and GPU cells, and write it back with its outputs."
    nb, cwd = read_nb(nb_path), os.getcwd()
    for c in nb.cells:
        if c.cell_type == 'code': c.outputs, c.execution_count = [], None
    todo = [c for c in nb.cells if c.cell_type == 'code' and not SKIP.search(c.source)]
    os.chdir(nb_path.parent)
    try:
        shell = CaptureShell()
        for c in todo: shell.cell(c)
        failed = [c for c in todo if any(o.get('output_type') == 'error' for o in c.outputs)]
    finally: os.chdir(cwd)
    if failed: sys.exit(f'{nb_path.name}: a cell failed:\n{failed[0].source[:500]}')
    write_nb(nb, nb_path)
    print(f'{nb_path.relative_to(ROOT)}: {len(todo)} cells run')

def main():
    names = sys.argv[1:] or sorted(p.stem for p in (ROOT/'nbs'/'tutorials').glob('*.ipynb'))
    os.environ.setdefault('MPLBACKEND', 'Agg')
    for n in names: run(ROOT/'nbs'/'tutorials'/f'{Path(n).stem}.ipynb')
    subprocess.run([str(Path(sys.executable).with_name('nbdev-clean'))], cwd=ROOT, check=True)

if __name__ == '__main__': main()
