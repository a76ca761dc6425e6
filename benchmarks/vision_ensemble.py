"""An ensemble of vision models on scenes9 (exploratory: `SceneClassifier` holds one vision model).

Linear probes (scikit-learn logistic regression on the frozen body's average-pooled features, flip-averaged, from
`vision.body_features`) of EfficientNet-Lite0 at 224 px and Lite2 at 260 px, fitted on the training part of the grouped
split, combined by geometric mean with the fine-tuned `vision_lite2_top` that `vision_scenes9.py` wrote. All
rebalanced to the whole table's class frequencies, as `SceneClassifier(rebalance=True)` does.

Usage: python benchmarks/vision_ensemble.py [--base vision_lite2_top] [--C 0.001]
Writes benchmarks/results/vision_ensemble.csv (test), valid/vision_ensemble.csv and vision_ensemble.json."""
import argparse, json, time, warnings
from pathlib import Path
import numpy as np, pandas as pd
from scipy.stats import gmean
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from scene_classify.core import find_scenes9, IMAGE, probs_table
from scene_classify.data import read_scenes
from scene_classify.block import AutoSplitter
from scene_classify.vision import vision_dls, scene_vision_learner
from scene_classify.stored import body_features
from scene_classify.core import label_index, class_prior
from scene_classify.evaluate import compare
from scene_classify.fusion import shift_prior

p = argparse.ArgumentParser(); p.add_argument('--base', default='vision_lite2_top'); p.add_argument('--C', type=float, default=0.001)
a = p.parse_args(); warnings.filterwarnings('ignore')
out = Path(__file__).parent/'results'
s9 = find_scenes9() or exit('scenes9 not found: set SCENES9 or put shared/ beside the checkout')
train, test = read_scenes(s9, check_images=False), read_scenes(s9, 'test', check_images=False)
classes = train.attrs['classes']
trn, valid = (train.iloc[list(ix)] for ix in AutoSplitter(0.2, 42)(train)) # the split `vision_dls` makes by default
y_trn, y_val = label_index(trn, classes), label_index(valid, classes)
rebal = lambda pr: shift_prior(pr, class_prior(y_trn, len(classes)), class_prior(label_index(train, classes), len(classes)))
read = lambda f, df: pd.read_csv(f).set_index(IMAGE).loc[df[IMAGE]][classes].to_numpy()
pv, pt = {a.base: read(out/'valid'/f'{a.base}.csv', valid)}, {a.base: read(out/f'{a.base}.csv', test)}
res = dict(base=a.base, C=a.C, n_train=len(trn), n_valid=len(valid))
for arch, size in [('tf_efficientnet_lite0', 224), ('tf_efficientnet_lite2', 260)]:
    t = time.time()
    learn = scene_vision_learner(vision_dls(train, bs=64, size=size, batch_tfms=[]), arch)
    feats = lambda df: body_features(learn, learn.dls.test_dl(df), flip=True, quiet=True)[0].mean(1).numpy()
    X_trn, X_val, X_test = feats(trn), feats(valid), feats(test)
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=a.C, max_iter=3000)).fit(X_trn, y_trn)
    name = f'{arch.replace("tf_efficientnet_", "")}_{size}_probe'
    pv[name], pt[name] = rebal(probe.predict_proba(X_val)), rebal(probe.predict_proba(X_test))
    res[f'{name}_seconds'] = time.time() - t; print(name, f'{time.time() - t:.0f} s', flush=True)
def geo(ps):
    "Geometric mean of probability arrays, renormalised."
    q = gmean(np.clip(ps, 1e-12, 1), axis=0); return q/q.sum(1, keepdims=True)
pv['ensemble'], pt['ensemble'] = geo(list(pv.values())), geo(list(pt.values()))
table = compare(y_val, pv)[['accuracy', 'balanced_accuracy', 'macro_f1', 'log_loss']]
print(table.round(3).to_string())
res['valid'] = table.round(4).to_dict(orient='index')
res['test_agreement_with_base'] = float((pt['ensemble'].argmax(1) == pt[a.base].argmax(1)).mean())
probs_table(valid, pv['ensemble'], classes).to_csv(out/'valid'/'vision_ensemble.csv', index=False)
probs_table(test, pt['ensemble'], classes).to_csv(out/'vision_ensemble.csv', index=False)
(out/'vision_ensemble.json').write_text(json.dumps(res, indent=1)); print(json.dumps(res, indent=1))
