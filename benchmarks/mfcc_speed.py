"""MFCC-104 extraction speed: the library's extractor against a plain per-row librosa loop, in one run.

Usage: python benchmarks/mfcc_speed.py [--rows 8100] [--naive-rows 200]. The naive loop is timed on a sample
(it is slow) and reported as clips/s; writes benchmarks/results/mfcc_speed.json."""
import argparse, json, os, sys, time, warnings
from pathlib import Path
import numpy as np, librosa
from scene_classify.core import find_scenes9, feature_cols
from scene_classify.data import read_csv
from scene_classify.features import pairs_features, MFCCRecipe

def naive_seconds(sample, s9, r):
    "Wall seconds of a plain loop over the rows of `sample`: load each clip's second with librosa, then its MFCCs."
    kw = dict(sr=r.sr, n_mfcc=r.n_mfcc, n_fft=r.n_fft, hop_length=r.hop_length, win_length=r.win_length, center=False,
              n_mels=r.n_mels)
    t = time.time()
    for _, row in sample.iterrows():
        y, _ = librosa.load(s9/row.AUDIO, sr=16000, mono=True, offset=row.START, duration=1.0)
        librosa.feature.mfcc(y=y[:16000], **kw)
    return time.time() - t

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--rows', type=int, default=8100)
    p.add_argument('--naive-rows', type=int, default=200)
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    s9 = find_scenes9() or sys.exit('scenes9 not found')
    pairs = read_csv(s9/'pairs_train.csv').iloc[:a.rows]
    librosa.load(s9/pairs.AUDIO.iloc[0], sr=16000, duration=1.0) # warm up imports for both
    t = time.time()
    feats = pairs_features(pairs, s9)
    lib_s = time.time() - t
    naive_s = naive_seconds(pairs.sample(a.naive_rows, random_state=0), s9, MFCCRecipe())
    res = dict(rows=len(pairs), files=int(pairs.AUDIO.nunique()), cpus=os.cpu_count(), library_seconds=lib_s,
               library_clips_per_s=len(pairs)/lib_s, naive_rows=a.naive_rows, naive_seconds=naive_s,
               naive_clips_per_s=a.naive_rows/naive_s)
    res['speedup'] = res['library_clips_per_s']/res['naive_clips_per_s']
    # the library's features must also be the ones scenes9's table holds
    ref = read_csv(s9/'data_train.csv').set_index('IMAGE').loc[pairs.IMAGE]
    err = np.abs(feats - ref[feature_cols(ref)].to_numpy())
    res['max_abs_diff_vs_data_train'], res['rows_over_1e-3'] = float(err.max()), int((err.max(1) > 1e-3).sum())
    (Path(__file__).parent/'results'/'mfcc_speed.json').write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))

if __name__ == '__main__': main()
