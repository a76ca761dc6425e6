"Acceptance checks on the real benchmark data; skipped when ../shared/data/scenes9 is absent."
import warnings
import numpy as np
from scene_classify.core import feature_cols, GROUP
from scene_classify.data import read_scenes, read_csv
from scene_classify.features import pairs_features
from scene_classify.block import scene_dls

def test_train_csv_loads_into_two_input_dataloaders(scenes9):
    df = read_scenes(scenes9)
    assert len(df) == 8100 and df[GROUP].nunique() == 19
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        dls = scene_dls(df, bs=32, num_workers=0)
    assert dls.n_inp == 2
    img, mfcc, y = dls.one_batch()
    assert img.shape == (32, 3, 128, 128) and mfcc.shape == (32, 104) and y.shape == (32,)
    assert not set(dls.train.items[GROUP]) & set(dls.valid.items[GROUP]) - {'audio/moodist/jungle.mp3', 'audio/moodist/supermarket.mp3'}

def test_mfcc_matches_published_features(scenes9):
    pairs = read_csv(scenes9/'pairs_train.csv').sample(200, random_state=0)
    ref = read_csv(scenes9/'data_train.csv').set_index('IMAGE').loc[pairs.IMAGE]
    got = pairs_features(pairs, scenes9)
    assert np.abs(got - ref[feature_cols(ref)].to_numpy()).max() < 1e-3
