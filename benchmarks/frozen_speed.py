"""The frozen-feature pass: plain eager timm against the library's `stored.frozen_outputs`, in one run.

Part 1 times the network alone on one batch of real images held in memory (Lite0, 224 px, batch 32, inference
mode): eager fp32, channels-last fp32, channels-last compiled (inductor with freezing, as `stored.frozen_outputs`
compiles large passes), channels-last with bf16 autocast. Part 2 times the library's whole pass (JPEG decode and
resize by fastai's DataLoader included): eager, compiled, and in bf16, to say what limits it. Part 3 checks that
the features of the faster passes are as good: a logistic-regression probe on each, trained on the training part
of a sample of scenes9's grouped split, scored on its validation part.

Usage: python benchmarks/frozen_speed.py [--batches 8] [--probe-rows 3000]
Writes benchmarks/results/frozen_speed.json."""
import argparse, json, os, time, warnings
from pathlib import Path
import numpy as np, torch, timm
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from scene_classify.core import find_scenes9, label_index
from scene_classify.data import read_scenes
from scene_classify.block import AutoSplitter
from scene_classify.vision import vision_dls, scene_vision_learner
from scene_classify.stored import body_features, cpu_bf16

MODES = {'eager fp32': (False, None, False), 'channels-last fp32': (True, None, False),
         'channels-last compiled': (True, None, True), 'channels-last + bf16': (True, torch.bfloat16, False)}

def net_rate(model, x, channels_last, amp, compiled, batches):
    "Images/s of `model` on the batch `x`, `batches` times after two warm-up passes (which include compiling)."
    import torch._inductor.config as inductor
    m = model.to(memory_format=torch.channels_last) if channels_last else model.to(memory_format=torch.contiguous_format)
    x = x.contiguous(memory_format=torch.channels_last) if channels_last else x.contiguous()
    if compiled: m = torch.compile(m, dynamic=False)
    with torch.inference_mode(), torch.autocast('cpu', dtype=amp or torch.bfloat16, enabled=amp is not None), inductor.patch(freezing=True):
        for _ in range(2): m(x)
        t = time.perf_counter()
        for _ in range(batches): m(x)
    return batches*len(x)/(time.perf_counter() - t)

def probe_accuracy(f, y, trn, val):
    "Validation accuracy of a standardised logistic-regression probe on features `f`."
    p = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=2000)).fit(f[trn], y[trn])
    return float((p.predict(f[val]) == y[val]).mean())

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--batches', type=int, default=8, help='timed batches of 32 per mode')
    p.add_argument('--probe-rows', type=int, default=3000, help='scenes9 training rows sampled for the probe check')
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    s9 = find_scenes9() or exit('scenes9 not found: set SCENES9 or put shared/ beside the checkout')
    df = read_scenes(s9, check_images=False)
    res = dict(cpu=f'{os.cpu_count()} cores, {torch.backends.cpu.get_cpu_capability()}', torch=torch.__version__,
               onednn_bf16=cpu_bf16(), arch='tf_efficientnet_lite0', size=224, bs=32)
    learn = scene_vision_learner(vision_dls(df.iloc[:64], bs=32, size=224, batch_tfms=[], num_workers=0), res['arch'])
    x = learn.dls.one_batch()[0].as_subclass(torch.Tensor) # a plain tensor: fastai's subclasses defeat the compiler
    body = torch.nn.Sequential(*list(learn.model[0]), *list(learn.model[1][:2])).eval()
    res['network'] = {k: net_rate(body, x, cl, amp, c, a.batches) for k,(cl, amp, c) in MODES.items()}
    sample = df.sample(a.probe_rows, random_state=0)
    sample.attrs.update(df.attrs)
    trn, val = map(np.array, AutoSplitter(0.2, 42)(sample))
    y = label_index(sample, df.attrs['classes'])
    dls = vision_dls(sample, bs=32, size=224, batch_tfms=[])
    learn = scene_vision_learner(dls, res['arch'])
    res['pass'], res['probe_valid_accuracy'] = {}, {}
    for name, prec, comp in (('eager fp32', 'fp32', False), ('compiled fp32', 'fp32', True), ('eager bf16', 'bf16', False)):
        t = time.perf_counter()
        f = body_features(learn, learn.dls.test_dl(sample), quiet=True, precision=prec, compile=comp)[0][:, 0].float().numpy()
        res['pass'][name] = len(sample)/(time.perf_counter() - t)
        res['probe_valid_accuracy'][name] = probe_accuracy(f, y, trn, val)
    base = res['network']['eager fp32']
    res['ratios'] = {k: v/base for k,v in res['network'].items()}
    out = Path(__file__).parent/'results'/'frozen_speed.json'
    out.write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
