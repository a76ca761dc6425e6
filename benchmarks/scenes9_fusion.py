"""Audio models and every fusion strategy on scenes9, side by side, on the grouped validation split.

Needs the vision predictions written by `vision_scenes9.py` (benchmarks/results/valid/<vision>.csv and
benchmarks/results/<vision>.csv). Usage: python benchmarks/scenes9_fusion.py [--vision vision_lite0] [--joint fusion_joint_lite2] [--prefix fusion] [--test-from detailed.csv | --test-refit]
Every table is given twice: on all validation rows, and on the rows of recordings training never heard (`*_new_recordings`,
as `SceneClassifier` compares strategies). Writes benchmarks/results/{audio_svm,audio_seed_svm,<prefix>_*}.csv (test, for scoring), results/valid/*.csv and
results/scenes9_<prefix>.json."""
import argparse, json, time, warnings
from pathlib import Path
import pandas as pd
from fastai.vision.all import set_seed
from scene_classify.core import find_scenes9, probs_table, IMAGE
from scene_classify.data import read_scenes
from scene_classify.block import AutoSplitter, StratifiedSplitter
from scene_classify.audio import audio_model, fit_audio, tune_audio, audio_probs
from scene_classify.core import label_index, class_prior
from scene_classify.evaluate import compare
from scene_classify.fusion import compare_fusions, make_fusion, best_strategy, cross_fit, list_fusions, shift_prior, LateFusion, fit_rows
from scene_classify.joint import JointVision
import numpy as np

p = argparse.ArgumentParser(); p.add_argument('--vision', default='vision_lite0')
p.add_argument('--joint', help="a joint network's predictions from joint_scenes9.py (results/valid/<joint>.csv and results/<joint>.csv): "
               "adds it and the strategies that use it (joint_vision)")
p.add_argument('--prefix', default='fusion', help='output names: <prefix>_<strategy>.csv and scenes9_<prefix>.json')
test_src = p.add_mutually_exclusive_group()
test_src.add_argument('--test-refit', action='store_true', help="test probabilities of models trained again on every row once validation had "
               "measured them: results/<vision>_refit.csv, results/<joint>_refit.csv and the audio SVM fitted on all rows (validation still fits the strategies)")
test_src.add_argument('--test-from', help="test probabilities of both modalities from `scene-classify predict`'s *_detailed.csv, e.g. of a model "
               "trained with --refit (validation still uses --vision's CSV and audio fitted on the training part); also writes <vision>_refit.csv")
p.add_argument('--fit-all-rows', action='store_true', help='fit the strategies written as CSVs on every validation row, as runs before '
               '2026-11-22 did (default: on the rows of recordings training never heard, as SceneClassifier does)')
p.add_argument('--no-rebalance', action='store_true', help="keep the training part's class frequencies as the audio models' prior"); a = p.parse_args()
warnings.filterwarnings('ignore'); set_seed(0)
out = Path(__file__).parent/'results'
s9 = find_scenes9() or exit('scenes9 not found')
train, test = read_scenes(s9, check_images=False), read_scenes(s9, 'test', check_images=False)
classes = train.attrs['classes']
trn, val = map(list, AutoSplitter(0.2, 42)(train)); valid = train.iloc[val]; y = label_index(valid, classes)
acc = lambda pr, yy: float((pr.argmax(1) == yy).mean())
prior = lambda df: class_prior(label_index(df, classes), len(classes))
# models fitted on the training part predict with the whole table's class frequencies, as SceneClassifier(rebalance=True) does
rebal = (lambda pr: pr) if a.no_rebalance else (lambda pr: shift_prior(pr, prior(train.iloc[trn]), prior(train)))
res = dict(vision=a.vision, n_train=len(trn), n_valid=len(val), rebalance=not a.no_rebalance)

# --- audio: the leak, the seed recipe, tuning, alternatives
seed_model = audio_model(C=10, gamma='auto')
rtr, rva = map(list, StratifiedSplitter(0.2, 42)(train))
res['audio_seed_random_split_acc'] = acc(audio_probs(fit_audio(train.iloc[rtr], seed_model), train.iloc[rva]), label_index(train.iloc[rva], classes))
seed_fit = fit_audio(train.iloc[trn], seed_model)
t = time.time(); tuned, table = tune_audio(train.iloc[trn], n_jobs=2); res['audio_tune_seconds'] = time.time() - t
res['audio_best_params'] = tuned.best_params_; res['audio_cv_table'] = table.head(10).to_dict(orient='records')
res['audio_tuned_random_split_acc'] = acc(audio_probs(fit_audio(train.iloc[rtr], audio_model(**tuned.best_params_)), train.iloc[rva]), label_index(train.iloc[rva], classes))
audio_valid = {'audio_seed_svm': audio_probs(seed_fit, valid), 'audio_svm': audio_probs(tuned, valid),
               'audio_svm_sigmoid': audio_probs(fit_audio(train.iloc[trn], audio_model(calibration='sigmoid', **tuned.best_params_)), valid)}
for k in ('logreg', 'mlp', 'hgb'): audio_valid[f'audio_{k}'] = audio_probs(fit_audio(train.iloc[trn], audio_model(k)), valid)
audio_valid = {k: rebal(v) for k,v in audio_valid.items()}
res['audio_valid'] = compare(y, audio_valid).round(4).to_dict(orient='index')
full = audio_model(**tuned.best_params_)
t = time.time(); full_fit = fit_audio(train, full); res['audio_fit_seconds_8100'] = time.time() - t
t = time.time(); pt_audio_full = audio_probs(full_fit, test); res['audio_predict_seconds_900'] = time.time() - t
probs_table(test, pt_audio_full, classes).to_csv(out/'audio_svm.csv', index=False)
probs_table(test, audio_probs(fit_audio(train, seed_model), test), classes).to_csv(out/'audio_seed_svm.csv', index=False)

# --- fusion: vision probabilities from vision_scenes9.py, audio trained on the training part only
def load_probs(f, rows):
    t = pd.read_csv(f).set_index(IMAGE).loc[rows[IMAGE]]
    return t[classes].to_numpy()
pv_valid, pv_test = load_probs(out/'valid'/f'{a.vision}.csv', valid), load_probs(out/f'{a.vision}.csv', test)
P = dict(vision=pv_valid, audio=audio_valid['audio_svm'])
if a.joint: P['joint'] = load_probs(out/'valid'/f'{a.joint}.csv', valid)
g = valid['group'].to_numpy()
table = compare_fusions(P, y, groups=g)
new = ~valid['group'].isin(set(train.iloc[trn]['group'])).to_numpy() # recordings training never heard
table_new = compare_fusions({k: v[new] for k,v in P.items()}, y[new], groups=g[new])
res.update(joint=a.joint, n_valid_new_recordings=int(new.sum()), fusion_valid_new_recordings=table_new.round(4).to_dict(orient='index'),
           best_strategy_new_recordings=best_strategy(table_new))
if a.joint: # joint_vision weighs both models equally; what weights fitted on validation (cross-fitted by recording) would do instead:
    Pn = {k: v[new] for k,v in P.items()}     # the late product's fit, with the joint network in audio's place
    jv = {'equal_weights': cross_fit(JointVision, Pn, y[new], groups=g[new]),
          'fitted_weights': cross_fit(lambda: LateFusion('product'), dict(vision=Pn['vision'], audio=Pn['joint']), y[new], groups=g[new])}
    res['joint_vision_weights_new_recordings'] = compare(y[new], jv).round(4).to_dict(orient='index')
    print('joint_vision, equal or fitted weights:'); print(compare(y[new], jv).round(3).to_string())
res['fusion_valid_random_folds'] = compare_fusions(P, y).round(4).to_dict(orient='index')   # the leak, for contrast
Pseed = dict(vision=pv_valid, audio=audio_valid['audio_seed_svm'])
seed_table = compare_fusions(Pseed, y, groups=g).loc[['audio', 'fallback', 'late_product']].rename(lambda k: f'seed {k}')
res['fusion_valid'] = pd.concat([table, seed_table]).round(4).to_dict(orient='index')
res['best_strategy'] = best_strategy(table)
Pt = dict(vision=pv_test, audio=rebal(audio_probs(tuned, test)))
if a.joint: Pt['joint'] = load_probs(out/f'{a.joint}.csv', test)
if a.test_refit: # the refit models' own CSVs
    Pt = dict(vision=load_probs(out/f'{a.vision}_refit.csv', test), audio=pt_audio_full)
    if a.joint: Pt['joint'] = load_probs(out/f'{a.joint}_refit.csv', test)
    res['test_refit'] = True
if a.test_from: # e.g. refit models: what they learnt from the validation rows too is what the test gets
    d = pd.read_csv(a.test_from).set_index(IMAGE).loc[test[IMAGE]]
    if d['error'].notna().any(): exit(f'{a.test_from}: {d["error"].notna().sum()} rows have errors')
    Pt = {k: d[[f'{k}_{c}' for c in classes]].to_numpy() for k in P}
    probs_table(test, Pt['vision'], classes).to_csv(out/f'{a.vision}_refit.csv', index=False)
    res['test_from'] = str(a.test_from)
fitted = {}
for name in [n for n in list_fusions(alone=False) if set(make_fusion(n).needs) <= set(P)]:
    f = make_fusion(name)
    # fitted where SceneClassifier fits it: on the rows it was compared on (new recordings), unless it learns per class
    rows = np.ones(len(y), bool) if a.fit_all_rows else fit_rows(f, y, new)
    fitted[name] = f.fit({k: v[rows] for k,v in P.items()}, y[rows])
    res.setdefault('fusion_params', {})[name] = f.to_dict() if name != 'stacking' else {'C': f.C}
    probs_table(test, f.predict_proba(Pt), classes).to_csv(out/f'{a.prefix}_{name}.csv', index=False)
    probs_table(valid, f.predict_proba(P), classes).to_csv(out/'valid'/f'{a.prefix}_{name}.csv', index=False)
res['fusion_fitted_on'] = 'all validation rows' if a.fit_all_rows else 'validation rows of new recordings (stacking: all)'
res['fallback_test_fraction_replaced'] = float(fitted['fallback'].replaced(Pt).mean())
(out/f'scenes9_{a.prefix}.json').write_text(json.dumps(res, indent=1, default=str))
print(pd.DataFrame(res['audio_valid']).T.round(3).to_string()); print(pd.concat([table, seed_table]).round(3).to_string())
print(f'new recordings ({new.sum()} rows):'); print(table_new.round(3).to_string())
print({k: v for k,v in res.items() if not isinstance(v, (dict, list))})
