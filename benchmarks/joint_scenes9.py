"""The joint (early-fusion) network on scenes9: image body + MFCC MLP in one network, same grouped split as
every other benchmark (AutoSplitter(0.2, seed 42)).

Usage:
  python benchmarks/joint_scenes9.py [--size 128] [--epochs 2] [--freeze-epochs 1] [--p-audio 0.5]   # end to end
  python benchmarks/joint_scenes9.py --arch tf_efficientnet_lite2 --size 260 --precompute --epochs 5 --tta
      # body frozen: image features computed once, MFCC branch + head trained on them (`fit_joint_head`)
Writes benchmarks/results/<name>.csv (test, for scoring), results/valid/<name>.csv and results/<name>.json
(scores, also on the validation rows of recordings never seen in training, and timings)."""
import argparse, json, time, warnings, platform
from pathlib import Path
import torch
from fastai.vision.all import IndexSplitter
from scene_classify.core import find_scenes9, probs_table, GROUP
from scene_classify.data import read_scenes
from scene_classify.block import scene_dls, AutoSplitter
from scene_classify.vision import vision_probs
from scene_classify.fusion import shift_prior
from scene_classify.joint import joint_learner, fit_joint_head
from scene_classify.core import label_index, class_prior
from scene_classify.evaluate import scores

p = argparse.ArgumentParser()
p.add_argument('--arch', default='tf_efficientnet_lite0'); p.add_argument('--size', type=int, default=128)
p.add_argument('--epochs', type=int, default=2); p.add_argument('--freeze-epochs', type=int, default=1)
p.add_argument('--precompute', action='store_true', help='train the MFCC branch and head on stored image features')
p.add_argument('--lr', type=float, default=None, help='default: 2e-3 end to end, 1e-3 with --precompute')
p.add_argument('--p-audio', type=float, default=0.5, help='modality dropout of the audio branch (0: none)')
p.add_argument('--label-smoothing', type=float, default=0.)
p.add_argument('--tta', action='store_true', help='average each image with its mirror at prediction')
p.add_argument('--bs', type=int, default=64); p.add_argument('--workers', type=int, default=2)
p.add_argument('--no-rebalance', action='store_true', help="keep the training part's class frequencies as the prior")
p.add_argument('--seed', type=int, default=0); p.add_argument('--name', default='fusion_joint')
a = p.parse_args(); warnings.filterwarnings('ignore')
s9 = find_scenes9() or exit('scenes9 not found')
df = read_scenes(s9, check_images=False); classes = df.attrs['classes']
trn, val = AutoSplitter(0.2, 42)(df)
dls = scene_dls(df, bs=a.bs, size=a.size, splitter=IndexSplitter(list(val)), num_workers=a.workers)
learn = joint_learner(dls, a.arch, p_audio=a.p_audio, label_smoothing=a.label_smoothing, seed=a.seed)
lr = a.lr or (1e-3 if a.precompute else 2e-3)
t = time.time()
if a.precompute: fit_joint_head(learn, a.epochs, lr, quiet=True)
else:
    with learn.no_bar(): learn.fine_tune(a.epochs, lr, freeze_epochs=a.freeze_epochs)
train_s = time.time() - t
valid, test = df.iloc[list(val)], read_scenes(s9, 'test', check_images=False)
t = time.time(); pv = vision_probs(learn, valid, a.tta); pt = vision_probs(learn, test, a.tta); pred_s = time.time() - t
yv = label_index(valid, classes); raw = scores(yv, pv)
if not a.no_rebalance: # as SceneClassifier and vision_scenes9.py do: from the training part's class frequencies to the whole table's
    prior = lambda d: class_prior(label_index(d, classes), len(classes))
    pv, pt = (shift_prior(x, prior(df.iloc[list(trn)]), prior(df)) for x in (pv, pt))
out = Path(__file__).parent/'results'; (out/'valid').mkdir(parents=True, exist_ok=True)
probs_table(test, pt, classes).to_csv(out/f'{a.name}.csv', index=False)
probs_table(valid, pv, classes).to_csv(out/'valid'/f'{a.name}.csv', index=False)
new = ~valid[GROUP].isin(set(df.iloc[list(trn)][GROUP])).to_numpy() # rows of recordings training never heard
res = dict(model='joint network', **{k: v for k, v in vars(a).items() if k not in ('workers', 'name', 'lr')}, lr=lr,
           train_rows=len(trn), valid_rows=len(val), train_seconds=round(train_s, 1), predict_seconds=round(pred_s, 1),
           device=str(dls.device), cpus=torch.get_num_threads(), python=platform.python_version(),
           valid=scores(yv, pv), valid_not_rebalanced=raw, valid_new_recordings=dict(rows=int(new.sum()), **scores(yv[new], pv[new])))
(out/f'{a.name}.json').write_text(json.dumps(res, indent=1, default=float)); print(json.dumps(res, indent=1, default=float))
