"""Vision training and inference throughput: plain `vision_learner(dls, resnet50)` defaults against this library's
paths, in one run on the same data (scenes9 images, random init: only speed is measured).

Both are timed through fastai's own loop (`fit`, `get_preds`), so what the library adds there runs: mixed precision
and channels-last on a GPU (`scene_vision_learner(fast=None)` turns them on when the DataLoaders are on CUDA).

Usage: python benchmarks/vision_speed.py [--batches 12] [--bs 64] [--size 128] [--workers N]
Writes benchmarks/results/vision_speed_<cpu|cuda>.json."""
import argparse, json, time, warnings, os, sys
from pathlib import Path
import torch
from fastai.vision.all import *
from scene_classify.core import find_scenes9
from scene_classify.data import read_scenes
from scene_classify.vision import vision_dls, scene_vision_learner

def no_sync():
    "Do nothing: on the CPU the work is done when the call returns, there is no queue to wait for."

class Throughput(Callback):
    "Training images/s over `n` batches after `warmup` untimed ones, in fastai's loop; then ends the fit."
    order = 100
    # `sync` waits for the device's queued work, so that the clock covers it
    def __init__(self, n, warmup, sync=no_sync): store_attr()
    def before_fit(self): self.count, self.t0, self.rate = 0, None, None
    def after_batch(self):
        if not self.training: return
        if self.iter + 1 == self.warmup:
            self.sync()
            self.t0 = time.perf_counter()
            return
        if self.t0 is None: return
        self.count += find_bs(self.yb)
        if self.iter + 1 == self.warmup + self.n:
            self.sync()
            self.rate = self.count/(time.perf_counter() - self.t0)
            raise CancelFitException()

def measure(name, learn, df, bs, batches, warmup, dl_kw, sync=no_sync):
    "Train and inference images/s of `learn`, inference on the first rows of `df`."
    cb = Throughput(batches, warmup, sync)
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3, cbs=cb)
    dl = learn.dls.test_dl(df.iloc[:bs*max(4, batches)], **dl_kw)
    with learn.no_bar(): learn.get_preds(dl=learn.dls.test_dl(df.iloc[:bs], **dl_kw)) # warm-up
    sync()
    t = time.perf_counter()
    with learn.no_bar(): learn.get_preds(dl=dl)
    sync()
    infer = len(dl.dataset)/(time.perf_counter() - t)
    print(f'{name:50s} train {cb.rate:8.1f} img/s   inference {infer:8.1f} img/s', flush=True)
    amp = getattr(getattr(learn, 'mixed_precision', None), 'amp_mode', None)
    return dict(train_img_per_s=cb.rate, infer_img_per_s=infer, amp=amp and str(amp))

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--batches', type=int, default=12, help='timed batches (after the warm-up ones)')
    p.add_argument('--warmup', type=int, default=3, help='untimed batches first (worker start-up, cuDNN autotuning)')
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--workers', type=int, default=None, help="DataLoader workers (default: fastai's, all CPUs)")
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    s9 = find_scenes9() or sys.exit('scenes9 not found')
    cuda = torch.cuda.is_available()
    sync = torch.cuda.synchronize if cuda else no_sync
    df = read_scenes(s9, check_images=False)
    # 1.5 times the rows the fit's batches need: the training part is about 70% of it
    df = df.sample(min(len(df), int(a.bs*(a.batches + a.warmup + 2)*1.5)), random_state=0)
    df.attrs['classes'] = sorted(df.label.unique())
    dl_kw = {} if a.workers is None else dict(num_workers=a.workers)
    timing = dict(df=df, bs=a.bs, batches=a.batches, warmup=a.warmup, dl_kw=dl_kw, sync=sync)
    device = torch.cuda.get_device_name() if cuda else f'cpu ({os.cpu_count()} cores)'
    res = dict(device=device, torch=torch.__version__, bs=a.bs, size=a.size, batches=a.batches, warmup=a.warmup,
               workers=a.workers)
    dls = ImageDataLoaders.from_df(df, path=s9, folder='images', fn_col='IMAGE', label_col='label',
                                   item_tfms=Resize(a.size), batch_tfms=aug_transforms(), bs=a.bs, **dl_kw)
    res['fastai_default_resnet50'] = measure('fastai defaults: vision_learner(dls, resnet50)',
                                             vision_learner(dls, resnet50, pretrained=False), **timing)
    runs = [('scene_classify resnet50', {}, 'resnet50', None),
            ('scene_classify resnet50 (no batch aug)', dict(batch_tfms=[]), 'resnet50', None),
            ('scene_classify tf_efficientnet_lite0 (no batch aug)', dict(batch_tfms=[]), 'tf_efficientnet_lite0', None)]
    if cuda: runs.insert(1, ('scene_classify resnet50, fast=False (fp32, contiguous)', {}, 'resnet50', False))
    for name, kw, arch, fast in runs:
        learn = scene_vision_learner(vision_dls(df, bs=a.bs, size=a.size, num_workers=a.workers, **kw), arch,
                                     pretrained=False, fast=fast)
        res[name] = measure(name, learn, **timing)
    base = res['fastai_default_resnet50']
    for k,v in list(res.items()):
        if isinstance(v, dict) and k != 'fastai_default_resnet50':
            v['train_ratio'] = v['train_img_per_s']/base['train_img_per_s']
            v['infer_ratio'] = v['infer_img_per_s']/base['infer_img_per_s']
    out = Path(__file__).parent/'results'/f'vision_speed_{"cuda" if cuda else "cpu"}.json'
    out.write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
