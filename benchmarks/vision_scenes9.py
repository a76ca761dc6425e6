"""Fine-tune a vision learner on scenes9 and write validation and test predictions.

Usage: python benchmarks/vision_scenes9.py [--arch tf_efficientnet_lite0] [--size 128] [--epochs 3] [--precompute [--top-layers N]]
Writes benchmarks/results/<name>.csv (test, for scoring), benchmarks/results/valid/<name>.csv (grouped validation)
and benchmarks/results/<name>.json (figures and timings)."""
import argparse, json, time, warnings, platform
from pathlib import Path
import numpy as np, torch
from scene_classify.core import find_scenes9, LABEL
from scene_classify.data import read_scenes
from scene_classify.vision import vision_dls, scene_vision_learner, vision_probs
from scene_classify.train import fit_vision
from scene_classify.core import probs_table
from scene_classify.core import label_index, class_prior
from scene_classify.fusion import shift_prior

p = argparse.ArgumentParser()
p.add_argument('--arch', default='tf_efficientnet_lite0'); p.add_argument('--size', type=int, default=128)
p.add_argument('--epochs', type=int, default=3); p.add_argument('--freeze-epochs', type=int, default=1)
p.add_argument('--bs', type=int, default=64); p.add_argument('--lr', type=float, default=2e-3)
p.add_argument('--name', default=None); p.add_argument('--tta', action='store_true')
p.add_argument('--frozen-bn', action='store_true', help='freeze BatchNorm too while the body is frozen (fastai trains it by default): makes frozen epochs forward-only through the body')
p.add_argument('--no-aug', action='store_true', help='no batch augmentation (fastai augments on the CPU when there is no GPU, which is slow)')
p.add_argument('--no-rebalance', action='store_true', help="keep the training part's class frequencies as the prior (SceneClassifier(rebalance=False))")
p.add_argument('--precompute', action='store_true', help='train the head on body activations computed once (vision.fit_head); --freeze-epochs counts its epochs')
p.add_argument('--top-layers', type=int, default=None, help='with --precompute: --epochs fine-tune only the last N body layers, on stored activations (vision.fit_top)')
p.add_argument('--head', default='fastai', help="vision head: fastai or linear (vision.HEADS)")
p.add_argument('--label-smoothing', type=float, default=0.)
a = p.parse_args()
name = a.name or f'vision_{a.arch.replace("tf_efficientnet_", "")}'
out = Path(__file__).parent/'results'
s9 = find_scenes9() or exit('scenes9 not found: set SCENES9 or put shared/ beside the checkout')
warnings.filterwarnings('ignore')
train, test = read_scenes(s9, check_images=False), read_scenes(s9, 'test', check_images=False)
dls = vision_dls(train, bs=a.bs, size=a.size, batch_tfms=[] if a.no_aug else None)
learn = scene_vision_learner(dls, a.arch, seed=0, train_bn=not a.frozen_bn, head=a.head, label_smoothing=a.label_smoothing)
t = time.time(); fit_vision(learn, a.epochs, a.lr, freeze_epochs=a.freeze_epochs, seed=0, precompute=a.precompute, top_layers=a.top_layers); fit_s = time.time() - t
valid = dls.valid.items
t = time.time(); pv = vision_probs(learn, valid, tta=a.tta); pred_s = time.time() - t
pt = vision_probs(learn, test, tta=a.tta)
classes = train.attrs['classes']
acc = lambda pr: float((np.array(classes)[pr.argmax(1)] == valid[LABEL].to_numpy()).mean())
raw_acc = acc(pv)
plain = vision_probs(learn, valid) if a.tta else pv # to set TTA's gain beside it
if not a.no_rebalance: # as SceneClassifier does: from the training part's class frequencies to the whole table's
    prior = lambda df: class_prior(label_index(df, classes), len(classes))
    pv, pt, plain = (shift_prior(x, prior(dls.train.items), prior(train)) for x in (pv, pt, plain))
probs_table(valid, pv, classes).to_csv(out/'valid'/f'{name}.csv', index=False)
probs_table(test, pt, classes).to_csv(out/f'{name}.csv', index=False)
res = dict(model=name, arch=a.arch, size=a.size, augment=not a.no_aug, train_bn=not a.frozen_bn, epochs=a.epochs, freeze_epochs=a.freeze_epochs, precompute=a.precompute, top_layers=a.top_layers, head=a.head, label_smoothing=a.label_smoothing, bs=a.bs, lr=a.lr, tta=a.tta,
           valid_accuracy=acc(pv), valid_accuracy_without_tta=acc(plain), valid_accuracy_not_rebalanced=raw_acc, rebalance=not a.no_rebalance, n_train=len(dls.train_ds), n_valid=len(valid), fit_seconds=fit_s,
           train_img_per_s=None if a.precompute else len(dls.train_ds)*(a.epochs + a.freeze_epochs)/fit_s, # None: precompute's epochs are not image passes
           valid_predict_img_per_s=len(valid)/pred_s,
           device=torch.cuda.get_device_name() if dls.device.type == 'cuda' else str(dls.device), torch=torch.__version__, machine=platform.processor() or platform.machine(), threads=torch.get_num_threads())
(out/f'{name}.json').write_text(json.dumps(res, indent=1))
print(json.dumps(res, indent=1))
