"""Exploratory audio variants on scenes9's grouped validation split: MFCC transforms, other classifiers, recording
weights, feature selection, channel augmentation, and leave-one-recording-out. None is in the library;
BENCHMARKS.md (*Audio*) says why.

Usage: python benchmarks/audio_explore.py [--no-loro]. Writes benchmarks/results/audio_explore.json."""
import argparse, json, sys, warnings
from pathlib import Path
import numpy as np, pandas as pd
from sklearn.base import clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.class_weight import compute_sample_weight
from scene_classify.core import find_scenes9, GROUP, label_index
from scene_classify.data import read_scenes, feature_cols
from scene_classify.block import AutoSplitter

def flat(Z):
    "One row per clip: its windows' coefficients side by side."
    return Z.reshape(len(Z), -1)

def std(m):
    "The model `m` behind a standard scaler."
    return make_pipeline(StandardScaler(), m)

# each is cloned before fitting, so these stay unfitted and can be shared
MODELS = {'svm C=0.1': std(SVC(C=0.1)), 'svm C=1': std(SVC(C=1)),
          'logreg C=0.01': std(LogisticRegression(C=0.01, max_iter=2000))}
OTHER_MODELS = {'lda shrinkage auto': std(LinearDiscriminantAnalysis(solver='lsqr', shrinkage='auto')),
                'gaussian naive bayes': std(GaussianNB()), 'knn 15': std(KNeighborsClassifier(15)),
                'knn 101': std(KNeighborsClassifier(101))}

def transforms(X):
    "The MFCC transforms compared, by name: each a table of features, one row per clip of `X` (clips x 8 x 13)."
    c0cmn = X.copy()
    c0cmn[:, :, 0] -= c0cmn[:, :, 0].mean(1, keepdims=True)
    hi = X[:, :, 1:]
    return {'raw': flat(X), 'no c0': flat(hi), 'clip-mean c0 removed': flat(c0cmn),
            'cepstral mean normalised': flat(X - X.mean(1, keepdims=True)), 'window mean': X.mean(1),
            'windows sorted': flat(np.sort(X, 1)),
            'L2-normalised frames': flat(hi / np.linalg.norm(hi, axis=2, keepdims=True))}

def score(m, F, y, trn, val, train=None, **fit):
    "Accuracy and balanced accuracy on rows `val` of `m` fitted on rows `trn` (or on `train`: features, labels)."
    pr = clone(m).fit(*(train or (F[trn], y[trn])), **fit).predict(F[val])
    return dict(accuracy=round(accuracy_score(y[val], pr), 4), balanced=round(balanced_accuracy_score(y[val], pr), 4))

def by_recording(R, y, g):
    "The rows `R` with their class `y` and recording `g`, and the mean row of each (class, recording)."
    t = pd.DataFrame(R)
    t['y'], t['g'] = y, g
    return t, t.groupby(['y', 'g']).mean()

def selection_order(t, rec_means):
    "Coefficients, those whose class means vary most against the spread of their recordings' means in a class first."
    within = np.nanmean([m.var().to_numpy() for _,m in rec_means.groupby(level=0) if len(m) > 1], axis=0)
    return np.argsort(-(t.drop(columns='g').groupby('y').mean().var().to_numpy() / (within + 1e-9)))

def channel_spread(rec_means):
    "Per coefficient, the spread of the window-mean cepstra between recordings of a class, averaged over classes."
    v = [m.to_numpy().reshape(len(m), 8, 13).mean(1).var(0) for _,m in rec_means.groupby(level=0) if len(m) > 1]
    return np.sqrt(np.nanmean(v, axis=0))

def augmented(X, y, spread, alpha, n, copies=2, seed=0):
    "`X`, `y` and `copies` copies of them, each row's first `n` coefficients shifted by `alpha` times the spread."
    sig, rng = np.where(np.arange(13) < n, alpha*spread, 0), np.random.default_rng(seed)
    Z = np.concatenate([X] + [X + rng.standard_normal((len(X), 1, 13))*sig for _ in range(copies)])
    return flat(Z), np.tile(y, copies + 1)

def leave_one_recording_out(m, R, y, g):
    "Accuracy of `m` on each recording held out in turn, learning from all the others or from one per class."
    recs = pd.Series(y, index=g).groupby(level=0).first()
    loro = []
    for r,c in recs.items():
        rest = recs.drop(r)
        # only where its class has another recording to learn from
        if not (rest == c).any(): continue
        one = rest.groupby(rest).apply(lambda s: s.index[0]).to_numpy() # one recording per class
        for setting, keep in (('all others', g != r), ('one per class', np.isin(g, one))):
            fitted = clone(m).fit(R[keep], y[keep])
            acc = accuracy_score(y[g == r], fitted.predict(R[g == r]))
            loro.append(dict(recording=r, setting=setting, accuracy=acc))
    return loro

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--no-loro', action='store_true', help='skip leave-one-recording-out')
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    df = read_scenes(find_scenes9() or sys.exit('scenes9 not found'), check_images=False)
    X = df[feature_cols(df)].to_numpy(np.float32).reshape(-1, 8, 13) # 8 windows x 13 coefficients (see 01_features)
    y, g = label_index(df, df.attrs['classes']), df[GROUP].to_numpy()
    trn, val = map(np.array, AutoSplitter(0.2, 42)(df))
    feats = transforms(X)
    res = dict(n_train=len(trn), n_valid=len(val),
               transforms={f'{f} / {m}': score(MODELS[m], F, y, trn, val) for f,F in feats.items() for m in MODELS})
    R = feats['raw']
    res['models'] = {k: score(m, R, y, trn, val) for k,m in OTHER_MODELS.items()}
    res['models']['svm C=0.1, recordings weighted equally'] = score(
        MODELS['svm C=0.1'], R, y, trn, val, svc__sample_weight=compute_sample_weight('balanced', g[trn]))
    # feature selection and the channel spread are measured on the training part only
    t, rec_means = by_recording(R[trn], y[trn], g[trn])
    order = selection_order(t, rec_means)
    res['selection'] = {f'top {k} of 104': score(MODELS['svm C=0.1'], R[:, order[:k]], y, trn, val)
                        for k in (26, 52, 78)}
    # channel augmentation: a microphone's or room's smooth response adds one vector to the low cepstra of every window;
    # copies of the training rows with random offsets as large as the spread between recordings of a class should teach
    # invariance to it (coefficients 0..n-1 shifted)
    spread = channel_spread(rec_means)
    res['channel_spread'] = spread.astype(float).round(2).tolist()
    res['channel_augmentation'] = {
        f'{m}, x{al} spread on {n} coefficients': score(MODELS[m], R, y, trn, val,
                                                        augmented(X[trn], y[trn], spread, al, n))
        for m in ('svm C=0.1', 'logreg C=0.01') for al in (0.5, 1, 2) for n in (1, 4, 13)}
    if not a.no_loro:
        loro = leave_one_recording_out(MODELS['svm C=0.1'], R, y, g)
        res['loro_mean_accuracy'] = pd.DataFrame(loro).groupby('setting').accuracy.mean().round(4).to_dict()
        res['loro'] = loro
    (Path(__file__).parent/'results'/'audio_explore.json').write_text(json.dumps(res, indent=1))
    for k in ('transforms', 'models', 'selection', 'channel_augmentation'): print(pd.DataFrame(res[k]).T.to_string())
    print(res.get('loro_mean_accuracy'))

if __name__ == '__main__': main()
