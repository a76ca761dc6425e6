"""The joint (early-fusion) network on scenes9: image body + MFCC MLP trained end to end, same grouped split as
every other benchmark (AutoSplitter(0.2, seed 42)).

Usage: python benchmarks/joint_scenes9.py [--size 128] [--epochs 2] [--freeze-epochs 1]
Writes benchmarks/results/fusion_joint.csv (test, for scoring), results/valid/fusion_joint.csv and
results/fusion_joint.json (scores and timings)."""
import argparse, json, time, warnings, platform
from pathlib import Path
import torch
from fastai.vision.all import IndexSplitter
from scene_classify.core import find_scenes9, probs_table
from scene_classify.data import read_scenes
from scene_classify.block import scene_dls, AutoSplitter
from scene_classify.fusion import joint_learner
from scene_classify.evaluate import label_index, scores

p = argparse.ArgumentParser()
p.add_argument('--arch', default='tf_efficientnet_lite0'); p.add_argument('--size', type=int, default=128)
p.add_argument('--epochs', type=int, default=2); p.add_argument('--freeze-epochs', type=int, default=1)
p.add_argument('--bs', type=int, default=64); p.add_argument('--workers', type=int, default=2)
a = p.parse_args(); warnings.filterwarnings('ignore')
s9 = find_scenes9() or exit('scenes9 not found')
df = read_scenes(s9, check_images=False); classes = df.attrs['classes']
trn, val = AutoSplitter(0.2, 42)(df)
dls = scene_dls(df, bs=a.bs, size=a.size, splitter=IndexSplitter(list(val)), num_workers=a.workers)
learn = joint_learner(dls, a.arch, seed=0)
t = time.time()
with learn.no_bar(): learn.fine_tune(a.epochs, 2e-3, freeze_epochs=a.freeze_epochs)
train_s = time.time() - t
valid = df.iloc[list(val)]
with learn.no_bar():
    pv = learn.get_preds(dl=dls.test_dl(valid))[0].float().numpy()
    test = read_scenes(s9, 'test', check_images=False)
    pt = learn.get_preds(dl=dls.test_dl(test))[0].float().numpy()
out = Path(__file__).parent/'results'; (out/'valid').mkdir(parents=True, exist_ok=True)
probs_table(test, pt, classes).to_csv(out/'fusion_joint.csv', index=False)
probs_table(valid, pv, classes).to_csv(out/'valid'/'fusion_joint.csv', index=False)
res = dict(model='joint network', arch=a.arch, size=a.size, epochs=a.epochs, freeze_epochs=a.freeze_epochs, train_rows=len(trn),
           valid_rows=len(val), train_seconds=round(train_s, 1), device=str(dls.device), cpus=torch.get_num_threads(),
           python=platform.python_version(), valid=scores(label_index(valid, classes), pv))
(out/'fusion_joint.json').write_text(json.dumps(res, indent=1, default=float)); print(json.dumps(res, indent=1, default=float))
