"""The joint network over two frozen backbones on scenes9 (exploratory: `SceneClassifier`'s joint network has one body).

The MFCC branch and head of `fusion.JointHead` (modality dropout on the audio branch) trained on the concatenated
pooled features (`vision.body_features`, plain and mirrored) of EfficientNet-Lite0 at 224 px and Lite2 at 260 px,
frozen, with their offline ImageNet weights; several seeds, averaged by geometric mean; each image predicted with its
mirror. Same grouped split as every benchmark (AutoSplitter(0.2, seed 42)), rebalanced to the whole table's class
frequencies as `SceneClassifier(rebalance=True)` does.

Computing the features is nearly all of the time (about 40 min on 2 CPUs for Lite0 and Lite2, 18 more for Lite1); each backbone's are kept in
benchmarks/.cache/ as soon as they are done, so an interrupted run starts again where it stopped.

`--refit` then trains the heads again on every row, validation's recordings included (as `SceneClassifier(refit=True)`
retrains its models once validation has measured them), and writes their test predictions as <name>_refit.csv: the
validation figures are those of the first heads, since the refit ones have seen those rows.

Usage: python benchmarks/joint_ensemble.py [--backbones tf_efficientnet_lite0:224 tf_efficientnet_lite2:260] [--seeds 3] [--refit]
Writes benchmarks/results/<name>.csv (test, for scoring), results/valid/<name>.csv and results/<name>.json."""
import argparse, json, time, warnings, hashlib
from pathlib import Path
import numpy as np, torch
from scipy.stats import gmean
from fastai.vision.all import DataLoader, DataLoaders, Learner, LabelSmoothingCrossEntropyFlat, accuracy, set_seed
from scene_classify.core import find_scenes9, probs_table, IMAGE, GROUP
from scene_classify.data import read_scenes
from scene_classify.block import AutoSplitter
from scene_classify.vision import vision_dls, scene_vision_learner
from scene_classify.stored import body_features
from scene_classify.fusion import shift_prior
from scene_classify.joint import JointHead
from scene_classify.core import label_index, class_prior
from scene_classify.evaluate import scores

p = argparse.ArgumentParser()
p.add_argument('--backbones', nargs='+', default=['tf_efficientnet_lite0:224', 'tf_efficientnet_lite2:260'], help='ARCH:SIZE, each frozen')
p.add_argument('--pool', choices=['concat', 'avg'], default='concat', help="fastai's concat pooling (max and average) or the average alone")
p.add_argument('--seeds', type=int, default=3); p.add_argument('--epochs', type=int, default=5); p.add_argument('--lr', type=float, default=1e-3)
p.add_argument('--p-audio', type=float, default=0.5); p.add_argument('--label-smoothing', type=float, default=0.1)
p.add_argument('--name', default='fusion_joint_lite02')
p.add_argument('--refit', action='store_true', help='also train the heads on every row and write <name>_refit.csv (test only)')
a = p.parse_args(); warnings.filterwarnings('ignore')
s9 = find_scenes9() or exit('scenes9 not found: set SCENES9 or put shared/ beside the checkout')
train, test = read_scenes(s9, check_images=False), read_scenes(s9, 'test', check_images=False)
classes = train.attrs['classes']
trn, val = map(list, AutoSplitter(0.2, 42)(train))
cache = Path(__file__).parent/'.cache'; cache.mkdir(exist_ok=True)
res = dict(model='joint head over frozen backbones', **{k: v for k, v in vars(a).items() if k != 'name'}, seconds={})

def features(arch, size):
    "Pooled features `[rows, 2 views, n]` of every training then test image, computed once and cached."
    names = list(train[IMAGE]) + list(test[IMAGE])
    f = cache/f'{arch}_{size}_{hashlib.sha256(" ".join(names).encode()).hexdigest()[:12]}.npy'
    if f.exists(): return np.load(f).astype(np.float32)
    t = time.time(); learn = scene_vision_learner(vision_dls(train, bs=64, size=size, batch_tfms=[]), arch)
    x = np.concatenate([body_features(learn, learn.dls.test_dl(d), flip=True, quiet=True)[0].numpy() for d in (train, test)])
    np.save(f.with_suffix('.tmp.npy'), x.astype(np.float16)); f.with_suffix('.tmp.npy').rename(f) # never a half-written cache
    res['seconds'][f'{arch}_{size}_features'] = round(time.time() - t); print(arch, size, f'{time.time() - t:.0f} s', flush=True)
    return x.astype(np.float16).astype(np.float32) # what the cache gives back, so a first run and a rerun agree

F = [features(arch, int(size)) for arch, size in (b.split(':') for b in a.backbones)]
if a.pool == 'avg': F = [f[..., f.shape[-1]//2:] for f in F] # AdaptiveConcatPool2d puts max first, then average
F = np.concatenate(F, -1)
mf = [c for c in train.columns if c.startswith('mfcc_')]
X0 = np.concatenate([train[mf].to_numpy(np.float32), test[mf].to_numpy(np.float32)])
y = label_index(train, classes); n = len(train)
tt = lambda *xs: [torch.tensor(x) for x in xs]

def head(seed, fit_rows):
    "One `JointHead` trained with fastai's one cycle on the stored features of `fit_rows`; probabilities of validation and test rows, mirror-averaged."
    X = (X0 - X0[fit_rows].mean(0))/X0[fit_rows].std(0)  # standardised with the statistics of the rows it learns from
    items = list(zip(*tt(F[fit_rows].reshape(-1, F.shape[-1]), np.repeat(X[fit_rows], 2, 0), np.repeat(y[fit_rows], 2)))) # each image and its mirror
    vitems = list(zip(*tt(F[val][:, 0], X[val], y[val])))
    views = {k: [tt(F[ix][:, v], X[ix]) for v in (0, 1)] for k, ix in (('valid', val), ('test', np.arange(n, len(F))))} # to predict
    set_seed(seed, reproducible=True)
    dls = DataLoaders(DataLoader(items, bs=64, shuffle=True, drop_last=True), DataLoader(vitems, bs=256), device='cpu')
    learn = Learner(dls, JointHead(F.shape[-1], X.shape[1], len(classes), p_audio=a.p_audio),
                    loss_func=LabelSmoothingCrossEntropyFlat(eps=a.label_smoothing), metrics=accuracy)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(a.epochs, a.lr)
    m = learn.model.eval()
    with torch.no_grad():
        return tuple(np.mean([torch.softmax(m(*v), 1).numpy() for v in views[k]], 0) for k in ('valid', 'test'))

t = time.time(); runs = [head(s, trn) for s in range(a.seeds)]; res['seconds']['heads'] = round(time.time() - t, 1)
geo = lambda ps: (q := gmean(np.clip(ps, 1e-12, 1), axis=0))/q.sum(1, keepdims=True)
prior = lambda ix: class_prior(y[ix], len(classes))
pv, pt = (shift_prior(geo([r[i] for r in runs]), prior(trn), prior(np.arange(n))) for i in (0, 1))
valid = train.iloc[val]; yv = y[val]
new = ~valid[GROUP].isin(set(train.iloc[trn][GROUP])).to_numpy() # rows of recordings training never heard
one = shift_prior(runs[0][0], prior(trn), prior(np.arange(n)))
res.update(valid=scores(yv, pv), valid_new_recordings=dict(rows=int(new.sum()), **scores(yv[new], pv[new])),
           valid_new_recordings_one_seed=scores(yv[new], one[new]))
out = Path(__file__).parent/'results'
probs_table(test, pt, classes).to_csv(out/f'{a.name}.csv', index=False)
probs_table(valid, pv, classes).to_csv(out/'valid'/f'{a.name}.csv', index=False)
if a.refit: # every row's class frequencies are the whole table's: no prior to shift
    t = time.time(); probs_table(test, geo([head(s, np.arange(n))[1] for s in range(a.seeds)]), classes).to_csv(out/f'{a.name}_refit.csv', index=False)
    res['seconds']['refit_heads'] = round(time.time() - t, 1)
(out/f'{a.name}.json').write_text(json.dumps(res, indent=1, default=float)); print(json.dumps(res, indent=1, default=float))
