"""Data unlike scenes9, end to end through the command line (train, predict, evaluate) with the fast preset.

Each data set is made learnable on purpose (no blended images), so each asserts accuracy well above chance, not only
that the commands ran: two classes named in CLASS with no classes.txt, 0.3 s clips at 8 kHz, 28 px grayscale PNGs
written relative to the CSV, and rows without an image or without audio; twelve classes with 20 s stereo clips at
44.1 kHz in FLAC and palette images; a table with no audio at all, and one with no images."""
import subprocess, sys
from pathlib import Path
import numpy as np, pandas as pd
from scene_classify.data import make_demo

BIN = Path(sys.executable).parent

def cli(*args):
    r = subprocess.run([str(BIN/'scene-classify'), *map(str, args)], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return r

def accuracy(detailed, truth):
    "Accuracy of the submission rows against the true classes of the rows, by position."
    d = pd.read_csv(detailed)
    return (d['label'].astype(str).to_numpy() == np.asarray(truth, dtype=str)).mean()

def end_to_end(tmp_path, data, train_csv, test_csv, truth, *train_args):
    "Train with the fast preset, predict the test CSV, evaluate on the training CSV; the test accuracy."
    model, out = tmp_path/'model', tmp_path/'pred.csv'
    cli('train', '--data', data/train_csv, '--out', model, '--preset', 'fast', '--size', 64, '--quiet', *train_args)
    cli('predict', '--model', model, '--data', data/test_csv, '--out', out, '--quiet', '--allow-unpredicted')
    ev = cli('evaluate', '--model', model, '--data', data/train_csv)
    assert 'fused' in ev.stdout
    return accuracy(tmp_path/'pred_detailed.csv', truth), pd.read_csv(tmp_path/'pred_detailed.csv')

def test_two_named_classes_short_clips_8khz_grayscale_and_missing_parts(tmp_path):
    data = make_demo(tmp_path/'two', n_train=24, n_test=6, classes=['owl', 'bat'], size=28, clip_seconds=0.3, sample_rate=8000,
                     image_mode='L', image_format='png', names=True, subdirs=True, missing=0.1, blend=0)
    truth = ['owl', 'bat']*6 # test rows cycle through the classes in the order given
    acc, det = end_to_end(tmp_path, data, 'pairs_train.csv', 'pairs_test.csv', truth, '--set', 'clip_seconds=0.3', '--set', 'sample_rate=8000')
    assert acc >= 0.9, acc # chance: 0.5
    assert set(det.decided_by[det.IMAGE.isna()]) <= {'audio'} and (det.CLASS >= 0).all()

def test_twelve_classes_long_stereo_clips_44khz(tmp_path):
    data = make_demo(tmp_path/'twelve', n_train=5, n_test=2, classes=12, clip_seconds=20.0, sample_rate=44100, channels=2,
                     recordings=1, audio_format='flac', image_mode='P', image_format='png', blend=0)
    truth = [f'class_{k:02d}' for k in range(12)]*2
    acc, _ = end_to_end(tmp_path, data, 'pairs_train.csv', 'pairs_test.csv', truth)
    assert acc >= 0.6, acc # chance: 0.083

def test_no_audio_at_all_trains_an_image_only_model(tmp_path):
    data = make_demo(tmp_path/'mute', n_train=12, n_test=3, classes=3, blend=0)
    for split in ('train', 'test'):
        t = pd.read_csv(data/f'data_{split}.csv')
        t.drop(columns=[c for c in t.columns if c.startswith('mfcc_')]).to_csv(data/f'data_{split}.csv', index=False)
    (data/'pairs_train.csv').unlink()
    (data/'pairs_test.csv').unlink()
    acc, det = end_to_end(tmp_path, data, 'data_train.csv', 'data_test.csv', [0, 1, 2]*3)
    assert set(det.decided_by) == {'vision'}
    assert (det.CLASS.to_numpy() == np.arange(9) % 3).mean() >= 0.8 # chance: 0.33

def test_no_images_at_all_trains_an_audio_only_model(tmp_path):
    data = make_demo(tmp_path/'blind', n_train=12, n_test=3, classes=3, blend=0)
    for split in ('train', 'test'):
        t = pd.read_csv(data/f'pairs_{split}.csv')
        t.assign(IMAGE='').to_csv(data/f'pairs_{split}.csv', index=False) # an empty cell: no image for the row
        (data/f'data_{split}.csv').unlink()
    acc, det = end_to_end(tmp_path, data, 'pairs_train.csv', 'pairs_test.csv', [f'class_{k:02d}' for k in range(3)]*3)
    assert set(det.decided_by) == {'audio'}
    assert acc >= 0.8, acc # chance: 0.33
