"""Vision training and inference throughput: plain `vision_learner(dls, resnet50)` defaults against this library's
paths, in one run on the same data (scenes9 images at 128 px, random init: only speed is measured).

Usage: python benchmarks/vision_speed.py [--batches 12] [--bs 64]. Writes benchmarks/results/vision_speed.json."""
import argparse, json, time, warnings, os
from pathlib import Path
import torch
from fastai.vision.all import *
from scene_classify.core import find_scenes9
from scene_classify.data import read_scenes
from scene_classify.vision import vision_dls, scene_vision_learner

p = argparse.ArgumentParser(); p.add_argument('--batches', type=int, default=12); p.add_argument('--bs', type=int, default=64)
a = p.parse_args(); warnings.filterwarnings('ignore')
s9 = find_scenes9() or exit('scenes9 not found')
df = read_scenes(s9, check_images=False).sample(a.bs*(a.batches + 2), random_state=0)
df.attrs['classes'] = sorted(df.label.unique())

def measure(name, learn):
    dl = learn.dls.train; n = 0; it = iter(dl)
    learn.model.train()
    if learn.opt is None: learn.create_opt()
    xb, yb = next(it)                                   # warm-up batch
    t = time.time()
    for i, (xb, yb) in zip(range(a.batches), it):
        with learn.no_bar(): loss = learn.loss_func(learn.model(xb), yb)
        loss.backward(); learn.opt.step(); learn.opt.zero_grad(); n += len(xb)
    train = n/(time.time() - t)
    learn.model.eval(); dlv = learn.dls.test_dl(df.iloc[:a.bs*4]); t = time.time()
    with torch.no_grad():
        for (xb,) in dlv: learn.model(xb)
    infer = len(dlv.dataset)/(time.time() - t)
    print(f'{name:45s} train {train:7.1f} img/s   inference {infer:7.1f} img/s', flush=True)
    return dict(train_img_per_s=train, infer_img_per_s=infer)

res = dict(device='cuda' if torch.cuda.is_available() else 'cpu', cpus=os.cpu_count(), torch=torch.__version__, bs=a.bs, batches=a.batches)
dls = ImageDataLoaders.from_df(df, path=s9, folder='images', fn_col='IMAGE', label_col='label', item_tfms=Resize(128), batch_tfms=aug_transforms(), bs=a.bs)
res['fastai_default_resnet50'] = measure('fastai defaults: vision_learner(dls, resnet50)', vision_learner(dls, resnet50, pretrained=False))
for name, kw, arch in [('scene_classify resnet50 (aug on)', {}, 'resnet50'),
                       ('scene_classify resnet50 (no batch aug)', dict(batch_tfms=[]), 'resnet50'),
                       ('scene_classify tf_efficientnet_lite0 (no batch aug)', dict(batch_tfms=[]), 'tf_efficientnet_lite0')]:
    res[name] = measure(name, scene_vision_learner(vision_dls(df, bs=a.bs, size=128, **kw), arch, pretrained=False))
base = res['fastai_default_resnet50']
for k,v in list(res.items()):
    if isinstance(v, dict) and k != 'fastai_default_resnet50': v['train_ratio'], v['infer_ratio'] = v['train_img_per_s']/base['train_img_per_s'], v['infer_img_per_s']/base['infer_img_per_s']
(Path(__file__).parent/'results'/'vision_speed.json').write_text(json.dumps(res, indent=1)); print(json.dumps(res, indent=1))
