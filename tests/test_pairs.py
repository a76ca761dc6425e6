"""Rows are pairs: an image or a clip may repeat across rows (a face with the voice clips recorded with it).

The reading and splitting tests take seconds; the end-to-end test trains through the command line on a small
synthetic face + voice identity set and takes about a minute."""
import subprocess, sys, warnings
from pathlib import Path
import numpy as np, pandas as pd, pytest, soundfile as sf
from PIL import Image
from scene_classify.core import *
from scene_classify.data import read_pairs, read_scenes, make_demo, file_key
from scene_classify.block import AutoSplitter, split_groups
from scene_classify.pipeline import submission

BIN = Path(sys.executable).parent
PEOPLE = ['ada', 'bo', 'cy', 'di']

def _face(rng, k:int)->Image.Image:
    "A 92x112 grayscale face of person `k`: a person-specific stripe pattern, with noise of its own."
    yy, xx = np.mgrid[0:112, 0:92] / 100
    ang, freq = np.pi*k/len(PEOPLE), 3 + 2*k
    img = 0.5 + 0.4*np.sin(2*np.pi*freq*(xx*np.cos(ang) + yy*np.sin(ang)) + rng.uniform(0, 2*np.pi))
    return Image.fromarray((np.clip(img + rng.normal(0, 0.1, img.shape), 0, 1)*255).astype(np.uint8), 'L')

def _voice(rng, k:int, sr:int=8000)->np.ndarray:
    "A clip of 0.15-2 s of person `k`'s voice: a person-specific pitch with harmonics, in noise."
    t = np.arange(int(rng.uniform(0.15, 2.0)*sr))/sr
    f0 = [140, 230, 380, 620][k]*rng.uniform(0.95, 1.05)
    y = sum(np.sin(2*np.pi*f0*h*t)/h for h in (1, 2, 3)) + rng.normal(0, 0.3, len(t))
    return (0.3*y/np.abs(y).max()).astype(np.float32)

def make_faces(dest:Path, n_img:int=3, n_clips:tuple=(10, 16), seed:int=0)->tuple:
    "Training pairs (each face with 10-15 clips) and test rows (new faces and voices, some missing a part)."
    rng = np.random.default_rng(seed)
    for sub in ('images', 'audio'): (dest/sub).mkdir(parents=True, exist_ok=True)
    n = 0
    def clip(k):
        nonlocal n
        n += 1
        sf.write(dest/'audio'/f'v{n:04d}.wav', _voice(rng, k), 8000, subtype='PCM_16')
        return f'audio/v{n:04d}.wav'
    def face(k, name):
        _face(rng, k).save(dest/'images'/name)
        return name
    train, test, truth = [], [], []
    for k,p in enumerate(PEOPLE):
        for i in range(n_img):
            img = face(k, f'{p}_{i}.pgm')
            train += [dict(IMAGE=img, AUDIO=clip(k), CLASS=p) for _ in range(rng.integers(*n_clips))]
        img = face(k, f'{p}_test.pgm')
        rows = [dict(IMAGE=img, AUDIO=clip(k)) for _ in range(4)]
        rows += [dict(IMAGE=None, AUDIO=clip(k)), dict(IMAGE=img, AUDIO=None)] # no image; no audio
        test += rows
        truth += [p]*len(rows)
    pd.DataFrame(train).to_csv(dest/'pairs_train.csv', index=False)
    pd.DataFrame(test).to_csv(dest/'pairs_test.csv', index=False)
    return dest, truth

def _wav(f:Path, seconds:float=0.5):
    f.parent.mkdir(parents=True, exist_ok=True)
    sf.write(f, np.random.default_rng(0).normal(0, 0.1, int(8000*seconds)).astype(np.float32), 8000)

def _read(d:Path, rows:list, **kw)->pd.DataFrame:
    pd.DataFrame(rows).to_csv(d/'pairs.csv', index=False)
    return read_pairs(d/'pairs.csv', n_workers=0, **kw)

@pytest.fixture
def folder(tmp_path):
    (tmp_path/'images').mkdir()
    Image.new('L', (92, 112)).save(tmp_path/'images'/'x.pgm')
    Image.new('L', (92, 112), 200).save(tmp_path/'images'/'y.pgm')
    for i in range(6): _wav(tmp_path/'audio'/f'c{i}.wav')
    return tmp_path

def test_an_image_with_many_clips_is_read(folder):
    df = _read(folder, [dict(IMAGE='x.pgm', AUDIO=f'c{i}.wav', CLASS='ada') for i in range(4)])
    assert len(df) == 4 and df[IMAGE].tolist() == ['x.pgm']*4

def test_a_clip_with_many_images_is_read(folder):
    df = _read(folder, [dict(IMAGE=im, AUDIO='c0.wav', CLASS='ada') for im in ('x.pgm', 'y.pgm')])
    assert len(df) == 2 and df[GROUP].nunique() == 1

def test_a_repeated_image_in_the_kaggle_layout_is_read(tmp_path):
    demo = make_demo(tmp_path/'demo', n_train=2, n_test=1)
    t = pd.read_csv(demo/'data_train.csv')
    t.loc[9, IMAGE] = t.loc[0, IMAGE] # rows 0 and 9 are both of class 0
    t.to_csv(demo/'data_train.csv', index=False)
    assert len(read_scenes(demo)) == len(t)
    p = pd.read_csv(demo/'pairs_train.csv')
    p.loc[9, IMAGE] = p.loc[0, IMAGE] # the pairs file lists the same rows: recordings are read row by row
    p.to_csv(demo/'pairs_train.csv', index=False)
    assert read_scenes(demo)[GROUP].tolist() == p['AUDIO'].tolist()

def test_repeated_images_alone_group_the_split(tmp_path):
    demo = make_demo(tmp_path/'demo', n_train=6, n_test=1, classes=3)
    (demo/'pairs_train.csv').unlink() # no recordings known
    t = pd.read_csv(demo/'data_train.csv')
    t[IMAGE] = t[IMAGE].to_numpy()[np.arange(len(t)) % 6] # six images, each on every sixth row (of its class)
    t.to_csv(demo/'data_train.csv', index=False)
    df = read_scenes(demo)
    trn, val = map(list, AutoSplitter(0.3)(df))
    assert set(df[PATH].iloc[trn]).isdisjoint(df[PATH].iloc[val]) and len(val) > 0

def test_one_image_three_spellings_three_labels_is_refused(folder):
    rows = [dict(IMAGE=im, AUDIO=f'c{i}.wav', CLASS=c) for i,(im,c) in
            enumerate([('x.pgm', 'ada'), ('images/x.pgm', 'bo'), ('./images/x.pgm', 'cy')])]
    with pytest.raises(DataError) as e: _read(folder, rows)
    msg = str(e.value)
    assert f"image {file_key(folder/'images'/'x.pgm')!r} given different labels on lines 2-4" in msg, msg
    assert "'ada' on line 2; 'bo' on line 3; 'cy' on line 4" in msg, msg

def test_one_clip_two_labels_is_refused(folder):
    rows = [dict(IMAGE='x.pgm', AUDIO='c0.wav', CLASS='ada'), dict(IMAGE='y.pgm', AUDIO='audio/c0.wav', CLASS='bo')]
    with pytest.raises(DataError) as e: _read(folder, rows)
    assert f"clip {file_key(folder/'audio'/'c0.wav')!r} given different labels on lines 2-3" in str(e.value)
    rows[1]['AUDIO'] = 'c1.wav' # another clip: fine
    assert len(_read(folder, rows)) == 2

def test_split_keeps_shared_images_and_recordings_on_one_side(tmp_path):
    d, _ = make_faces(tmp_path/'faces', n_img=3, n_clips=(4, 6))
    df = read_scenes(d/'pairs_train.csv', n_workers=0)
    trn, val = map(list, AutoSplitter(0.3)(df))
    side = lambda col, rows: set(df[col].iloc[rows].map(str))
    assert side(PATH, trn).isdisjoint(side(PATH, val)) and side(GROUP, trn).isdisjoint(side(GROUP, val))
    assert set(df[LABEL].iloc[val]) == set(PEOPLE)

def test_one_image_per_class_falls_back_to_recordings_with_a_warning(tmp_path):
    d, _ = make_faces(tmp_path/'faces', n_img=1, n_clips=(5, 7))
    df = read_scenes(d/'pairs_train.csv', n_workers=0)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        g = split_groups(df)
        trn, val = map(list, AutoSplitter(0.3)(df))
    assert (g == df[GROUP].to_numpy()).all()
    assert any('grouped by recording (group) only' in str(x.message) for x in w)
    assert set(df[LABEL].iloc[val]) == set(PEOPLE)

def test_submission_keeps_the_row_key():
    pred = pd.DataFrame({IMAGE: ['a.pgm', 'a.pgm'], 'ROW': [0, 1], 'CLASS': [1, 2]})
    assert submission(pred).columns.tolist() == ['Id', 'ROW', 'CLASS']
    assert submission(pred.drop(columns='ROW')).columns.tolist() == ['Id', 'CLASS']

def _cli(*args):
    r = subprocess.run([str(BIN/'scene-classify'), *map(str, args)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]

def _svm_accuracy(X_trn, y_trn, X_tst, y_tst)->float:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    return (make_pipeline(StandardScaler(), SVC()).fit(X_trn, y_trn).predict(X_tst) == y_tst).mean()

def _pixels(paths)->np.ndarray:
    return np.stack([np.asarray(Image.open(p).convert('L').resize((23, 28)), np.float32).ravel() for p in paths])

@pytest.mark.slow
def test_face_and_voice_identities_end_to_end(tmp_path):
    d, truth = make_faces(tmp_path/'faces')
    model, out = tmp_path/'model', tmp_path/'pred.csv'
    audio = ['--set', 'clip_seconds=0.5', '--set', 'sample_rate=8000']
    _cli('train', '--data', d/'pairs_train.csv', '--out', model, '--preset', 'fast', '--size', 64, '--quiet', *audio)
    _cli('predict', '--model', model, '--data', d/'pairs_test.csv', '--out', out, '--quiet')
    det, sub = pd.read_csv(tmp_path/'pred_detailed.csv'), pd.read_csv(out)
    test = pd.read_csv(d/'pairs_test.csv')
    # one row per input row, in order, IMAGE as given, and a unique key
    assert len(det) == len(sub) == len(test)
    assert det['ROW'].tolist() == sub['ROW'].tolist() == list(range(len(test)))
    assert det[IMAGE].fillna('').tolist() == test[IMAGE].fillna('').tolist()
    truth = np.array(truth)
    ok = det['label'].astype(str).to_numpy() == truth
    # rows missing a part are predicted from the other
    no_img, no_aud = test[IMAGE].isna().to_numpy(), test['AUDIO'].isna().to_numpy()
    assert set(det.decided_by[no_img]) == {'audio'} and set(det.decided_by[no_aud]) == {'vision'}
    assert (det.CLASS >= 0).all() and ok[no_img].mean() >= 0.75 and ok[no_aud].mean() >= 0.75
    # at least as accurate as an SVM on each modality alone, trained on the same rows
    from scene_classify.features import MFCCRecipe
    recipe = MFCCRecipe.for_clip(0.5, 8000)
    trn = read_scenes(d/'pairs_train.csv', recipe=recipe, n_workers=0)
    tst = read_scenes(d/'pairs_test.csv', recipe=recipe, n_workers=0, errors='mark')
    both = ~no_img & ~no_aud
    fc = feature_cols(trn)
    aud = _svm_accuracy(trn[fc].to_numpy(), trn[LABEL], tst[fc].to_numpy()[both], truth[both])
    img = _svm_accuracy(_pixels(trn[PATH]), trn[LABEL], _pixels(tst[PATH][both]), truth[both])
    assert ok[both].mean() >= max(aud, img), (ok[both].mean(), aud, img)
