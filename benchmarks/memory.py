"""Peak memory (RSS) of training, and of predicting N rows: streamed (`scene-classify predict`, chunks of 2,048 rows)
at two table sizes, against predicting the whole table at once (`SceneClassifier.predict`).

Usage: python benchmarks/memory.py [--rows 10000 20000] [--model DIR]. Builds Kaggle-layout tables of N rows
whose images are links to scenes9's test images under unique names (the demo's images without scenes9), each
measured in its own process with /usr/bin/time -v. Writes benchmarks/results/memory.json."""
import argparse, json, os, re, subprocess, sys, tempfile, time
from pathlib import Path
from scene_classify.core import find_scenes9
from scene_classify.data import make_demo, read_csv

BIN = Path(sys.executable).parent

def peak(cmd):
    "Peak RSS (MB) and wall seconds of `cmd` in its own process."
    t = time.time()
    r = subprocess.run(['/usr/bin/time', '-v', *map(str, cmd)], capture_output=True, text=True)
    if r.returncode: sys.exit(r.stderr[-3000:])
    return int(re.search(r'Maximum resident set size \(kbytes\): (\d+)', r.stderr).group(1)) / 1024, time.time() - t

def linked_table(d, base, imgs, classes, n):
    "Write in `d` a Kaggle-layout test table of `n` rows sampled from `base`, its images links into `imgs`."
    (d/'images').mkdir(parents=True)
    t = base.sample(n, replace=True, random_state=0).reset_index(drop=True)
    # sampled with replacement: unique names make repeated images distinct files, as the rows of a real table are
    names = [f'r{i:07d}_{f}' for i,f in enumerate(t.IMAGE)]
    for nm, f in zip(names, t.IMAGE): os.symlink((imgs/f).resolve(), d/'images'/nm)
    t['IMAGE'] = names
    t.drop(columns=[c for c in ('CLASS',) if c in t]).to_csv(d/'data_test.csv', index=False)
    (d/'classes.txt').write_text(classes)

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--rows', type=int, nargs='+', default=[10000, 20000])
    p.add_argument('--model')
    p.add_argument('--train-scenes9', action='store_true',
                   help='also measure training on scenes9 (1 head epoch at 64 px)')
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix='scmem-'))
    sc = BIN/'scene-classify'
    res = dict(date=time.strftime('%Y-%m-%d'), cpus=os.cpu_count(), runs=[])
    demo = make_demo(work/'demo', n_train=40, n_test=4)
    model = Path(a.model) if a.model else work/'model'
    if not a.model:
        mb, s = peak([sc, 'train', '--data', demo, '--out', model, '--arch', 'tf_efficientnet_lite0', '--size', '64',
                      '--epochs', '2', '--quiet'])
        res['runs'].append(dict(what='train (demo, 360 rows, Lite0 64 px)', rows=360, peak_rss_mb=round(mb),
                                seconds=round(s, 1)))
    if a.train_scenes9 and (s9 := find_scenes9()):
        mb, s = peak([sc, 'train', '--data', s9, '--out', work/'m9', '--arch', 'tf_efficientnet_lite0', '--size', '64',
                      '--epochs', '0', '--freeze-epochs', '1', '--quiet'])
        res['runs'].append(dict(what='train (scenes9, 8,100 rows, Lite0 64 px, 1 head epoch)', rows=8100,
                                peak_rss_mb=round(mb), seconds=round(s, 1)))
    s9 = find_scenes9()
    src = s9 if s9 else demo
    base = read_csv(src/'data_test.csv')
    imgs = src/'images' if (src/'images').is_dir() else src
    classes = (src/'classes.txt').read_text() if (src/'classes.txt').exists() else (demo/'classes.txt').read_text()
    for n in a.rows:
        d = work/f'rows{n}'
        linked_table(d, base, imgs, classes, n)
        mb, s = peak([sc, 'predict', '--model', model, '--data', d, '--out', d/'sub.csv', '--quiet'])
        res['runs'].append(dict(what='predict, streamed (chunks of 2,048)', rows=n, peak_rss_mb=round(mb),
                                seconds=round(s, 1)))
        whole = (f'from scene_classify.pipeline import SceneClassifier as S; c = S.load("{model}"); '
                 f'c.chunk_size = 10**9; print(len(c.predict("{d}")))')
        mb, s = peak([sys.executable, '-c', whole])
        res['runs'].append(dict(what='predict, whole table at once (SceneClassifier.predict)', rows=n,
                                peak_rss_mb=round(mb), seconds=round(s, 1)))
        print(res['runs'][-2:], flush=True)
    res['source_images'] = 'scenes9 test images' if s9 else 'demo images'
    out = Path(__file__).parent/'results'/'memory.json'
    out.write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
