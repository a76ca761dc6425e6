"Bad input, case by case: each gives a clear error naming the rows, or a documented handling. Nothing is dropped."
import shutil
import numpy as np, pandas as pd, pytest, soundfile as sf
from PIL import Image
from scene_classify.core import DataError, feature_cols, IMAGE, LABEL
from scene_classify.data import make_demo, read_scenes, read_csv
from scene_classify.features import pairs_features

@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    return make_demo(tmp_path_factory.mktemp('bad')/'demo', n_train=3, n_test=1)

@pytest.fixture
def copy(demo, tmp_path):
    d = tmp_path/'data'; shutil.copytree(demo, d); return d

def _edit(d, f, cells):
    t = read_csv(d/f)
    for (row, col), v in cells.items(): t[col] = t[col].astype(object); t.loc[row, col] = v
    t.to_csv(d/f, index=False)

def _error(d, split='train'):
    with pytest.raises(DataError) as e: read_scenes(d, split)
    return str(e.value)

def test_truncated_image(copy):
    f = copy/'images'/'trainimg_00004.jpg'; f.write_bytes(f.read_bytes()[:300])
    assert 'image file unreadable on line 6' in _error(copy)
    assert read_scenes(copy, errors='mark')['error'].iloc[4] == 'image file unreadable'

def test_corrupt_and_missing_images(copy):
    (copy/'images'/'trainimg_00001.jpg').write_bytes(b'\x00' * 100)
    (copy/'images'/'trainimg_00002.jpg').unlink()
    msg = _error(copy)
    assert 'image file missing on line 4' in msg and 'image file unreadable on line 3' in msg

def test_grayscale_rgba_odd_sizes_load(copy):
    Image.open(copy/'images'/'trainimg_00000.jpg').convert('L').resize((31, 200)).save(copy/'images'/'trainimg_00000.jpg')
    Image.new('RGBA', (500, 20)).save(copy/'images'/'x.png'); _edit(copy, 'data_train.csv', {(1, IMAGE): 'x.png'})
    assert len(read_scenes(copy)) == 27

@pytest.mark.parametrize('case,expect', [
    ('zero_length', 'no audio samples|cannot decode'), ('too_short', 'does not fit'), ('garbage', 'cannot decode')])
def test_bad_audio_is_named(tmp_path, case, expect):
    f = tmp_path/f'{case}.wav'
    if case == 'zero_length': sf.write(f, np.zeros(0, np.float32), 16000)
    elif case == 'too_short': sf.write(f, np.zeros(8000, np.float32), 16000)
    else: f.write_bytes(b'RIFF....WAVEfmt garbage')
    with pytest.raises(DataError, match=expect) as e: pairs_features(pd.DataFrame(dict(AUDIO=[f.name], START=[0.0])), tmp_path, n_workers=0)
    assert 'line 2' in str(e.value)

def test_silent_stereo_odd_rate_audio_work(tmp_path):
    t = np.arange(int(2.5*22050))/22050
    sf.write(tmp_path/'stereo.ogg', np.stack([np.sin(2*np.pi*300*t), np.sin(2*np.pi*500*t)], 1).astype(np.float32), 22050)
    sf.write(tmp_path/'silent.flac', np.zeros(32000, np.float32), 16000)
    f = pairs_features(pd.DataFrame(dict(AUDIO=['stereo.ogg', 'silent.flac'], START=[1.0, 0.5])), tmp_path, n_workers=0)
    assert f.shape == (2, 104) and np.isfinite(f).all()

def test_nan_inf_and_text_features(copy):
    _edit(copy, 'data_train.csv', {(2, 'mfcc_3'): np.nan, (5, 'mfcc_7'): np.inf, (6, 'mfcc_1'): 'abc'})
    assert 'features not a finite number on lines 4, 7-8 (columns mfcc_1, mfcc_3, mfcc_7)' in _error(copy)

def test_wrong_column_count(copy):
    t = read_csv(copy/'data_train.csv').drop(columns=['mfcc_50', 'mfcc_51']); t.to_csv(copy/'data_train.csv', index=False)
    assert 'missing columns: mfcc_50, mfcc_51' in _error(copy)

def test_one_image_given_two_labels(copy):
    _edit(copy, 'data_train.csv', {(9, IMAGE): 'trainimg_00003.jpg'}) # rows of pairs may repeat an image, not relabel it
    msg = _error(copy)
    assert "trainimg_00003.jpg' given different labels on lines 5, 11 ('CLASSROOM' on line 5; 'FOREST' on line 11" in msg, msg

def test_unknown_label(copy):
    _edit(copy, 'data_train.csv', {(0, 'CLASS'): 11, (3, 'CLASS'): 'MOON'})
    assert "unknown CLASS on lines 2, 5 (values 11, 'MOON'" in _error(copy)

def test_empty_table(copy):
    read_csv(copy/'data_train.csv').iloc[:0].to_csv(copy/'data_train.csv', index=False)
    assert 'the table has no rows' in _error(copy)

def test_bom_and_semicolons(copy):
    t = read_csv(copy/'data_train.csv')
    (copy/'data_train.csv').write_text('\ufeff' + t.to_csv(index=False, sep=';'), encoding='utf-8')
    assert read_scenes(copy)[feature_cols(t)].shape == (27, 104)

def test_paths_with_spaces_and_non_ascii(copy):
    shutil.move(copy/'images'/'trainimg_00000.jpg', copy/'images'/'forêt été 1.jpg')
    _edit(copy, 'data_train.csv', {(0, IMAGE): 'forêt été 1.jpg'})
    weird = copy.parent/'dossier à espaces'; shutil.move(copy, weird)
    df = read_scenes(weird)
    assert df[IMAGE].iloc[0] == 'forêt été 1.jpg' and len(df) == 27

def test_every_class_in_validation(demo):
    from scene_classify.block import AutoSplitter
    df = read_scenes(demo)
    trn, val = AutoSplitter(0.2)(df)
    assert df[LABEL].iloc[list(val)].nunique() == 9

def test_one_class_data_refused(demo):
    from scene_classify.audio import fit_audio
    df = read_scenes(demo); one = df[df[LABEL] == 'FOREST']
    with pytest.raises(ValueError, match='class'): fit_audio(one)
