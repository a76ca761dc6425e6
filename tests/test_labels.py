"Labels read exactly as written, every problem of a table in one error, and clear messages for weak data."
import numpy as np, pandas as pd, pytest, soundfile as sf
from PIL import Image
from scene_classify.core import DataError, IMAGE, PATH, LABEL
from scene_classify.data import read_scenes, read_classes
from scene_classify.features import load_audio, pairs_features

def kaggle(d, labels, classes=None):
    "A Kaggle-layout `data_train.csv` in `d` with one row per label, written exactly as given (images not checked)."
    rows = [f'{i}.jpg,{i},{i % 3},{l}' for i,l in enumerate(labels)]
    (d/'data_train.csv').write_text('IMAGE,mfcc_1,mfcc_2,CLASS\n' + '\n'.join(rows) + '\n')
    if classes is not None: (d/'classes.txt').write_text(classes)
    return d/'data_train.csv'

def read(f, **kw): return read_scenes(f, check_images=False, **kw)

def error(f, **kw):
    with pytest.raises(DataError) as e: read(f, **kw)
    return str(e.value)

def test_na_like_and_boolean_labels_are_class_names(tmp_path):
    df = read(kaggle(tmp_path, ['None', 'NA', 'nan', 'True', 'False', 'None']))
    assert df[LABEL].tolist() == ['None', 'NA', 'nan', 'True', 'False', 'None']
    assert df.attrs['classes'] == ['False', 'NA', 'None', 'True', 'nan']

def test_only_an_empty_cell_is_an_empty_label(tmp_path):
    assert 'CLASS is empty on line 3' in error(kaggle(tmp_path, ['None', '', 'NA']))

def test_spaces_around_a_label_are_stripped_with_a_note(tmp_path, caplog):
    df = read(kaggle(tmp_path, ['triangles ', 'circles', ' triangles ', 'triangles']))
    assert "data_train.csv: CLASS 'triangles ' on line 2 has spaces around it: read as 'triangles'" in caplog.text
    assert "CLASS ' triangles ' on line 4" in caplog.text
    assert df[LABEL].tolist() == ['triangles', 'circles', 'triangles', 'triangles']
    assert df.attrs['classes'] == ['circles', 'triangles']

def test_decimal_labels_are_classes_as_written(tmp_path, caplog):
    df = read(kaggle(tmp_path, ['1.0', '0.0', '2.5', '1.0']))
    assert caplog.text == '' # one-row numbers are not typos of each other
    assert df.attrs['classes'] == ['0.0', '1.0', '2.5']
    assert df[LABEL].tolist() == ['1.0', '0.0', '2.5', '1.0']

def test_whole_numbers_still_sort_numerically(tmp_path):
    df = read(kaggle(tmp_path, ['10', '2', '1', '2']))
    assert df.attrs['classes'] == ['1', '2', '10'] and df[LABEL].tolist() == ['10', '2', '1', '2']

@pytest.mark.parametrize('a,b', [('01', '1'), ('1e3', '1000'), ('1.0', '1')])
def test_one_number_written_two_ways_is_refused(tmp_path, a, b):
    msg = error(kaggle(tmp_path, [b, a, 'x', b]))
    assert f"'{b}' (lines 2, 5)" in msg and f"'{a}' (line 3)" in msg and 'write it one way' in msg

def test_with_classes_txt_names_and_plain_indices(tmp_path):
    f = kaggle(tmp_path, ['B', '0', '2', 'A'], 'A\nB\nC\n')
    assert read(f)[LABEL].tolist() == ['B', 'A', 'C', 'A']
    f = kaggle(tmp_path, ['B', '03', '2.0', '1'], 'A\nB\nC\nD\n')
    msg = error(f)
    assert 'unknown CLASS on lines 3-4 (values 03, 2.0; known: A, B, C, D' in msg
    assert 'an index into the class list is written plainly (3, not 03 or 3.0)' in msg

def test_a_class_listed_twice_is_refused(tmp_path):
    (tmp_path/'classes.txt').write_text('forest\n\ncity\nforest\n')
    twice = r"classes.txt: 1 problem:\n  - class 'forest' is listed twice \(lines 1 and 4\): list each class once"
    with pytest.raises(DataError, match=twice):
        read_classes(tmp_path)
    (tmp_path/'classes.txt').write_text('forest\n\ncity\n\n')
    assert read_classes(tmp_path) == ['forest', 'city']

def test_a_small_class_is_named_as_a_likely_typo(tmp_path, caplog):
    read(kaggle(tmp_path, ['forest']*5 + ['forrest'] + ['city']*4))
    assert "data_train.csv: class 'forrest' has 1 row (line 7): a typo of 'forest'?" in caplog.text

def table(classes, counts):
    "A table as `read_scenes` returns it: features only, `counts[i]` rows of `classes[i]`."
    labels = np.repeat(classes, counts)
    rng = np.random.default_rng(0)
    df = pd.DataFrame({IMAGE: [f'{i}.jpg' for i in range(len(labels))], PATH: None,
                       **{f'mfcc_{j+1}': rng.standard_normal(len(labels)).astype(np.float32) for j in range(4)},
                       LABEL: labels.astype(object)})
    df.attrs.update(classes=list(classes), source='t.csv')
    return df

@pytest.fixture
def no_features(monkeypatch):
    "Training that reaches the models fails the test: the classes must be refused before."
    from scene_classify.pipeline import SceneClassifier
    def fail(*a, **k): raise AssertionError('features computed before the classes were checked')
    monkeypatch.setattr('scene_classify.pipeline.fit_candidates', fail)
    return SceneClassifier

def test_a_single_class_is_refused_before_features(no_features):
    with pytest.raises(DataError, match=r"only one class has rows \('A' \(40 rows\)\)"):
        no_features('fast').fit(table(['A'], [40]))

def test_too_few_rows_per_class_refused_before_features_with_the_exact_count(no_features):
    classes = [f'c{i:03d}' for i in range(200)]
    with pytest.raises(DataError) as e: no_features('fast').fit(table(classes, [2]*200))
    msg = str(e.value)
    assert "too few rows of 'c000' (2 rows), 'c001' (2 rows)" in msg and '... (180 more)' in msg
    assert 'each class needs at least 5 rows, 4 for training and 1 for validation' in msg
    with pytest.raises(DataError, match=r"too few rows of 'B' \(4 rows\): each class needs at least 5"):
        no_features('fast').fit(table(['A', 'B'], [20, 4]))

def pairs(d, rows):
    "A pairs CSV in `d` (IMAGE, AUDIO, START, CLASS rows), with images 0.png..2.png and a 2 s `a.wav`."
    for i in range(3): Image.new('RGB', (8, 8), (40*i, 0, 0)).save(d/f'{i}.png')
    sf.write(d/'a.wav', np.sin(np.arange(32000)/7).astype(np.float32)*0.3, 16000, subtype='PCM_16')
    pd.DataFrame(rows, columns=[IMAGE, 'AUDIO', 'START', 'CLASS']).to_csv(d/'pairs_train.csv', index=False)
    return d/'pairs_train.csv'

def test_missing_audio_and_missing_image_in_one_error(tmp_path):
    f = pairs(tmp_path, [['0.png', 'a.wav', 0, 'x'], ['1.png', 'gone.wav', 0, 'x'], ['gone.png', 'a.wav', 1, 'y']])
    with pytest.raises(DataError) as e: read_scenes(f, n_workers=0)
    msg = str(e.value)
    assert 'gone.wav: file not found (line 3)' in msg and 'image file missing on line 4' in msg

def test_windows_backslash_paths_are_resolved(tmp_path):
    (tmp_path/'images').mkdir()
    Image.new('RGB', (8, 8)).save(tmp_path/'images'/'x.png')
    f = pairs(tmp_path, [['images\\x.png', 'a.wav', 0, 'x'], ['0.png', 'a.wav', 1, 'y']])
    assert read_scenes(f, n_workers=0)[PATH].iloc[0] == str(tmp_path/'images'/'x.png')

def test_a_folder_as_image_or_audio_is_named(tmp_path):
    (tmp_path/'sub').mkdir()
    f = pairs(tmp_path, [['sub', 'a.wav', 0, 'x'], ['0.png', 'sub', 0, 'x'], ['1.png', 'a.wav', 1, 'y']])
    with pytest.raises(DataError) as e: read_scenes(f, n_workers=0)
    msg = str(e.value)
    assert 'IMAGE is a folder, not a file on line 2' in msg and 'sub: is a folder, not a file; AUDIO must name' in msg
    assert 'missing' not in msg

def test_a_streaming_wav_is_read(tmp_path):
    sf.write(tmp_path/'full.wav', np.sin(np.arange(32000)/7).astype(np.float32)*0.3, 16000, subtype='PCM_16')
    head = bytearray((tmp_path/'full.wav').read_bytes())
    head[4:8] = head[40:44] = b'\xff'*4 # the RIFF and data sizes a streaming recorder leaves unknown
    (tmp_path/'stream.wav').write_bytes(head)
    assert load_audio(tmp_path/'stream.wav').shape == (32000,)
    f = pairs_features(pd.DataFrame(dict(AUDIO=['stream.wav'], START=[0.5])), tmp_path, n_workers=0)
    assert np.isfinite(f).all()
