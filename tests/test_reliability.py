"""Bad input through the command line, case by case: each asserts the exit status, a fragment of the message, and
that every input row comes out exactly once (BENCHMARKS.md, *Reliability*, lists the cases and outcomes)."""
import json, os, shutil, zipfile
import numpy as np, pandas as pd, pytest, soundfile as sf
from scene_classify.core import sha256_file
from scene_classify.cli import main, EXIT_UNPREDICTED
from scene_classify.data import make_demo, read_csv
from scene_classify.pipeline import SceneClassifier
from scene_classify.artifact import artifact_dir

@pytest.fixture(scope='module')
def made(tmp_path_factory):
    "A small demo and a quickly trained model, made once."
    d = tmp_path_factory.mktemp('rel')
    data = make_demo(d/'demo', n_train=8, n_test=4)
    clf = SceneClassifier('finetune', arch='tf_efficientnet_lite0', epochs=0, freeze_epochs=1, lr=1e-3, size=32, bs=16, tune=False,
                          num_workers=0, quiet=True, models=['learner', 'mfcc_svm'])
    clf.fit(data).save(d/'model', export_pickle=True)
    return data, d/'model'

@pytest.fixture
def data(made, tmp_path):
    d = tmp_path/'data'
    shutil.copytree(made[0], d)
    return d

@pytest.fixture
def model(made, tmp_path):
    m = tmp_path/'model'
    shutil.copytree(made[1], m)
    return m

def run(capsys, *argv):
    "Exit status, stdout and stderr of `scene-classify argv`."
    capsys.readouterr()
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err

def predict(capsys, model, data, out, *extra):
    return run(capsys, 'predict', '--model', model, '--data', data, '--out', out, '--quiet', *extra)

def ids(path): return pd.read_csv(path, dtype={'Id': str})['Id'].tolist()
def input_ids(data): return read_csv(data/'data_test.csv')['IMAGE'].tolist()

# --- a model folder never runs code ---

def test_crafted_audio_model_is_refused_and_runs_nothing(capsys, model, data, tmp_path):
    ver = artifact_dir(model)
    skops = ver/'models'/'mfcc_svm'/'audio.skops'
    with zipfile.ZipFile(skops) as z: files = {n: z.read(n) for n in z.namelist()}
    schema = json.loads(files['schema.json'])
    marker = tmp_path/'ran'
    code = {'__class__': 'str', '__module__': 'builtins', '__loader__': 'JsonNode', 'content': json.dumps(f'open({str(marker)!r}, "w")'),
            'is_json': True, '__id__': 1}
    schema['content']['content']['note'] = {'__class__': 'exec', '__module__': 'builtins', '__loader__': 'ConstructorFromReduceNode',
        'content': {'__class__': 'tuple', '__module__': 'builtins', '__loader__': 'TupleNode', 'content': [code], '__id__': 2}, '__id__': 3}
    schema['content']['key_types']['content'].append({'__class__': 'str', '__module__': 'builtins', '__loader__': 'TypeNode', '__id__': 4})
    with zipfile.ZipFile(skops, 'w') as z:
        for n,b in {**files, 'schema.json': json.dumps(schema).encode()}.items(): z.writestr(n, b)
    skops.with_name('audio.skops.sha256').write_text(f'{sha256_file(skops)}  audio.skops\n') # the attacker's checksums
    man = json.loads((ver/'manifest.json').read_text())
    man['files'] = {n: sha256_file(ver/n) for n in man['files']}
    (ver/'manifest.json').write_text(json.dumps(man))
    for cmd in (['predict', '--model', model, '--data', data, '--out', tmp_path/'p.csv'],
                ['evaluate', '--model', model, '--data', data], ['fuse', '--model', model, '--data', data]):
        rc, _, err = run(capsys, *cmd)
        assert rc == 1 and 'builtins.exec' in err and 'refusing to load' in err, err
    assert not marker.exists()

def test_tampered_model_file_is_refused(capsys, model, data, tmp_path):
    f = artifact_dir(model)/'settings.json'
    f.write_text(f.read_text() + ' ')
    rc, _, err = predict(capsys, model, data, tmp_path/'p.csv')
    assert rc == 1 and 'settings.json does not match its checksum' in err

def test_pickle_is_never_loaded_by_predict(capsys, model, data, tmp_path):
    "The artifact holds a pickled learner (export_pickle); predict reads safetensors and skops only."
    (artifact_dir(model)/'vision_learner.pkl').write_bytes(b'not a pickle at all') # would fail if unpickled
    man = json.loads((artifact_dir(model)/'manifest.json').read_text())
    man['files']['vision_learner.pkl'] = sha256_file(artifact_dir(model)/'vision_learner.pkl')
    (artifact_dir(model)/'manifest.json').write_text(json.dumps(man))
    assert predict(capsys, model, data, tmp_path/'p.csv')[0] == 0

# --- predictions are never lost, duplicated or stale ---

def test_resume_after_the_input_changed_starts_over(capsys, caplog, model, data, tmp_path):
    out = tmp_path/'p.csv'
    rc, _, _ = predict(capsys, model, data, out, '--chunk-size', '4', '--shard', '0/2') # half the parts, as if interrupted
    assert rc == 0 and not out.exists()
    t = read_csv(data/'data_test.csv')
    t.loc[[0, 1, 6], 'IMAGE'] = t.loc[[6, 0, 1], 'IMAGE'].to_numpy() # same rows, same count, other order
    t.to_csv(data/'data_test.csv', index=False)
    rc, _, _ = predict(capsys, model, data, out, '--chunk-size', '4')
    assert rc == 0 and ids(out) == t['IMAGE'].tolist()
    assert 'parts of an earlier job (sha256 differ) deleted; predicting from the start' in caplog.text, caplog.text

@pytest.mark.parametrize('chunk', ['1', '4', '7', '2048'])
def test_blank_lines_and_quoted_newlines_keep_every_row(capsys, model, data, tmp_path, chunk):
    t = read_csv(data/'data_test.csv')
    t.insert(1, 'note', ['two\nlines' if i % 5 == 0 else 'plain' for i in range(len(t))])
    text = t.to_csv(index=False).splitlines(keepends=True)
    (data/'data_test.csv').write_text(''.join(text[:3] + ['\n', '\n'] + text[3:9] + ['\n'] + text[9:]))
    assert read_csv(data/'data_test.csv')['IMAGE'].tolist() == t['IMAGE'].tolist() # pandas' own reading of the whole file
    rc, _, _ = predict(capsys, model, data, tmp_path/'p.csv', '--chunk-size', chunk)
    assert rc == 0 and ids(tmp_path/'p.csv') == t['IMAGE'].tolist()

def test_duplicate_image_is_predicted_the_same_at_every_chunk_size(capsys, model, data, tmp_path):
    t = read_csv(data/'data_test.csv')
    t.loc[5, 'IMAGE'] = t.loc[2, 'IMAGE']
    t.to_csv(data/'data_test.csv', index=False)
    outs = []
    for chunk in ('2', '4', '2048'):
        assert predict(capsys, model, data, tmp_path/f'p{chunk}.csv', '--chunk-size', chunk)[0] == 0
        outs.append(pd.read_csv(tmp_path/f'p{chunk}.csv'))
    assert len(outs[0]) == len(t) and (outs[0].CLASS >= 0).all()
    assert all(o.equals(outs[0]) for o in outs[1:])

def test_one_broken_modality_is_predicted_from_the_other(capsys, model, data, tmp_path):
    (data/'images'/'testimg_00002.jpg').write_bytes(b'not an image')
    t = read_csv(data/'data_test.csv')
    t.loc[4, 'mfcc_9'] = np.nan
    t.to_csv(data/'data_test.csv', index=False)
    rc, _, err = predict(capsys, model, data, tmp_path/'p.csv')
    det = pd.read_csv(tmp_path/'p_detailed.csv')
    assert rc == 0 and 'note: 2 row(s) had a problem and were predicted from what remained' in err, err # even with --quiet
    assert det.decided_by[2] == 'audio' and det.decided_by[4] == 'vision' and (det.CLASS >= 0).all()
    assert 'image file unreadable' in det.error[2] and 'features not a finite number' in det.error[4]
    assert det.filter(like='vision_').iloc[2].isna().all() and det.filter(like='audio_').iloc[4].isna().all()

def test_a_row_with_neither_modality_exits_3_unless_allowed(capsys, model, data, tmp_path):
    (data/'images'/'testimg_00003.jpg').unlink()
    t = read_csv(data/'data_test.csv').astype({'mfcc_1': object})
    t.loc[3, 'mfcc_1'] = 'x'
    t.to_csv(data/'data_test.csv', index=False)
    rc, _, err = predict(capsys, model, data, tmp_path/'p.csv')
    assert rc == EXIT_UNPREDICTED == 3 and '1 row(s) could not be predicted at all (CLASS = -1)' in err and '--allow-unpredicted' in err
    sub = pd.read_csv(tmp_path/'p.csv')
    assert sub.Id.tolist() == input_ids(data) and sub.CLASS[3] == -1 and (sub.CLASS.drop(index=3) >= 0).all()
    assert predict(capsys, model, data, tmp_path/'q.csv', '--allow-unpredicted')[0] == 0

def test_a_failed_predict_leaves_nothing_that_blocks_the_rerun(capsys, model, data, tmp_path):
    (data/'classes.txt').write_text('A\nB\n')
    rc, _, err = predict(capsys, model, data, tmp_path/'p.csv')
    assert rc == 1 and "differs from the model's" in err
    assert not (tmp_path/'p.csv.parts').exists()
    (data/'classes.txt').write_text('\n'.join(SceneClassifier.load(model).classes_) + '\n')
    assert predict(capsys, model, data, tmp_path/'p.csv')[0] == 0 and ids(tmp_path/'p.csv') == input_ids(data)

def test_outputs_follow_the_umask(capsys, model, data, tmp_path):
    old = os.umask(0o022)
    try: assert predict(capsys, model, data, tmp_path/'p.csv')[0] == 0
    finally: os.umask(old)
    assert oct((tmp_path/'p.csv').stat().st_mode & 0o777) == '0o644'
    assert oct((tmp_path/'p_detailed.csv').stat().st_mode & 0o777) == '0o644'

def test_fuse_keeps_the_pickled_learner(capsys, model, data):
    rc, _, _ = run(capsys, 'fuse', '--model', model, '--data', data, '--strategy', 'fallback', '--quiet')
    assert rc == 0 and (artifact_dir(model)/'vision_learner.pkl').exists()

# --- weak options and messages ---

@pytest.mark.parametrize('opt,fragment', [(['--chunk-size', '0'], '--chunk-size must be a positive number of rows (got 0)'),
                                          (['--shard', 'abc'], "--shard takes I/N, e.g. 0/4"),
                                          (['--shard', '3/2'], '--shard 3/2: I must be from 0 to N-1')])
def test_bad_options_are_named(capsys, model, data, tmp_path, opt, fragment):
    rc, _, err = predict(capsys, model, data, tmp_path/'p.csv', *opt)
    assert rc == 1 and fragment in err, err
    assert not (tmp_path/'p.csv.parts').exists()

def _train(capsys, data, tmp_path):
    return run(capsys, 'train', '--data', data, '--out', tmp_path/'m', '--preset', 'fast', '--quiet')

def test_a_class_with_too_few_rows_is_named(capsys, data, tmp_path):
    t = read_csv(data/'data_train.csv')
    t = t[(t.CLASS != '2') | (np.arange(len(t)) < 5)] # one BEACH row left (labels are read as written: text)
    t.to_csv(data/'data_train.csv', index=False)
    rc, _, err = _train(capsys, data, tmp_path)
    assert rc == 1 and "too few rows of 'BEACH' (1 rows" in err, err

def test_a_listed_class_without_rows_is_named(capsys, data, tmp_path):
    (data/'classes.txt').write_text((data/'classes.txt').read_text() + 'MOON\n')
    rc, _, err = _train(capsys, data, tmp_path)
    assert rc == 1 and "class 'MOON' has no rows" in err and 'classes.txt' in err, err

def test_missing_image_and_bad_features_at_training_name_the_lines(capsys, data, tmp_path):
    (data/'images'/'trainimg_00003.jpg').unlink()
    t = read_csv(data/'data_train.csv')
    t.loc[6, 'mfcc_2'] = np.inf
    t.loc[7, 'CLASS'] = 42
    t.drop(columns='mfcc_50').to_csv(data/'data_train.csv', index=False)
    rc, _, err = _train(capsys, data, tmp_path)
    assert rc == 1 and 'missing columns: mfcc_50' in err, err
    assert 'image file missing on line 5' in err and 'features not a finite number on line 8' in err and 'unknown CLASS on line 9' in err

def test_features_reports_every_problem_at_once(capsys, data, tmp_path):
    p = read_csv(data/'pairs_train.csv').astype({'START': object})
    p.loc[1, 'START'] = 'soon'
    p.loc[2, 'DURATION'] = 2.0
    p.loc[3, 'AUDIO'] = 'audio/nowhere.wav'
    p.to_csv(data/'pairs_train.csv', index=False)
    rc, _, err = run(capsys, 'features', '--pairs', data/'pairs_train.csv', '--out', tmp_path/'f.csv', '--workers', '0')
    assert rc == 1 and all(f in err for f in ('START is not a number', 'DURATION', 'nowhere.wav: file not found')), err

def test_truncated_wav_is_named_corrupt(capsys, data, tmp_path):
    f = data/'audio'/'train_0_0.wav'
    f.write_bytes(f.read_bytes()[:2000])
    rc, _, err = run(capsys, 'features', '--pairs', data/'pairs_train.csv', '--out', tmp_path/'f.csv', '--workers', '0')
    assert rc == 1 and 'train_0_0.wav: truncated or corrupt: its header declares 12.000 s' in err, err

def test_ctrl_c_inside_a_write_waits_for_the_whole_file(tmp_path):
    "A Ctrl-C that lands while a checkpoint is written is raised once the file is in place (torch cut off mid-save fails)."
    import signal, torch
    from scene_classify.core import atomic_write
    path = tmp_path/'checkpoint.pth'
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(path, 'wb') as f:
            signal.raise_signal(signal.SIGINT)
            torch.save({'w': torch.zeros(1000)}, f)
    assert torch.load(path, weights_only=True)['w'].shape == (1000,)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
