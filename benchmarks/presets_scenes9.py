"""A preset end to end on scenes9, as a user runs it: `scene-classify train --preset NAME`, then `predict`.

Times each step (wall clock), records the peak resident memory of each command, the time limit, the leaderboard of
candidate models (validation accuracy, log-loss, seconds, chosen or skipped and why) and the validation comparison
the model saved, and writes the test predictions as benchmarks/results/pipeline_<preset>.csv (IMAGE, CLASS and
one probability column per class, as the other result CSVs).

Usage: python benchmarks/presets_scenes9.py --preset fast [--work DIR] [--resume]
Writes benchmarks/results/pipeline_<preset>.csv and pipeline_<preset>.json."""
import argparse, json, os, resource, subprocess, sys, time
from pathlib import Path
import pandas as pd
from scene_classify.core import find_scenes9

RESULTS = Path(__file__).parent/'results'

def run(cmd:list)->dict:
    "Run a command, streaming its output; its wall time and its peak resident memory."
    t = time.time()
    r = subprocess.run(cmd)
    if r.returncode: sys.exit(f'{" ".join(cmd)} failed with {r.returncode}')
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/2**20 # GiB (ru_maxrss is in KiB on Linux)
    return dict(seconds=round(time.time() - t, 1), peak_gib_so_far=round(peak, 2))

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--preset', default='fast')
    p.add_argument('--work', default=None, help='folder for the model and the raw predictions (default: benchmarks/.cache/<preset>)')
    p.add_argument('--resume', action='store_true', help='continue an interrupted training')
    a = p.parse_args()
    s9 = find_scenes9() or sys.exit('scenes9 not found: set SCENES9 or put shared/ beside the checkout')
    work = Path(a.work or Path(__file__).parent/'.cache'/a.preset)
    work.mkdir(parents=True, exist_ok=True)
    sc = [sys.executable, '-m', 'scene_classify.cli'] # the `scene-classify` command, also where only PYTHONPATH has the package
    res = dict(preset=a.preset, cpu=f'{os.cpu_count()} cores')
    res['train'] = run([*sc, 'train', '--data', str(s9), '--out', str(work/'model'), '--preset', a.preset] + (['--resume'] if a.resume else []))
    res['predict'] = run([*sc, 'predict', '--model', str(work/'model'), '--data', str(s9), '--out', str(work/'submission.csv')])
    settings = json.loads((work/'model'/(work/'model'/'CURRENT').read_text().strip()/'settings.json').read_text())
    res.update(recipes=settings['recipes'], valid=settings['valid'], comparison=settings['comparison'], strategy=settings['strategy'],
               time_limit=settings['run'].get('time_limit'), models=settings['models'], board=settings['board'])
    det = pd.read_csv(work/'submission_detailed.csv', dtype={'IMAGE': str})
    classes = settings['classes']
    out = pd.concat([det[['IMAGE', 'CLASS']], det[[f'fused_{c}' for c in classes]].set_axis(classes, axis=1)], axis=1)
    out.to_csv(RESULTS/f'pipeline_{a.preset}.csv', index=False)
    (RESULTS/f'pipeline_{a.preset}.json').write_text(json.dumps(res, indent=1))
    print(json.dumps({k: v for k,v in res.items() if k not in ('comparison', 'board')}, indent=1))
    print(pd.DataFrame(res['board']).to_string())

if __name__ == '__main__': main()
