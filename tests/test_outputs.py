"""Nothing a user wrote is deleted or overwritten, concurrent runs are refused, and model files are read safely:
each case through the command line or the API, asserting the exit status, the message, and what is left on disk."""
import json, os, shutil, signal, subprocess, sys, time, unittest.mock as mock
import pandas as pd, pytest
from scene_classify.core import sha256_file, run_lock
from scene_classify.cli import main
from scene_classify.data import make_demo, read_csv
from scene_classify.pipeline import SceneClassifier
from scene_classify.artifact import artifact_dir, model_lock, LOCK_FILE

LEARNER = 'models/learner/learner.safetensors' # the fine-tuned learner's weights in a model's version folder
KW = dict(arch='tf_efficientnet_lite0', epochs=0, freeze_epochs=1, lr=1e-3, size=32, bs=16, tune=False)
TRAIN = ['--preset', 'finetune', '--arch', 'tf_efficientnet_lite0', '--epochs', '0', '--lr', '1e-3', '--size', '32',
         '--set', 'freeze_epochs=1', '--set', 'bs=16', '--set', 'tune=false', '--models', 'learner,mfcc_svm']

@pytest.fixture(scope='module')
def made(tmp_path_factory):
    "A small demo and a quickly trained model, made once."
    d = tmp_path_factory.mktemp('out')
    data = make_demo(d/'demo', n_train=8, n_test=4)
    SceneClassifier('finetune', num_workers=0, quiet=True, models=['learner', 'mfcc_svm'], **KW).fit(data).save(d/'model')
    return data, d/'model'

@pytest.fixture
def data(made, tmp_path):
    shutil.copytree(made[0], tmp_path/'data')
    return tmp_path/'data'

@pytest.fixture
def model(made, tmp_path):
    shutil.copytree(made[1], tmp_path/'model')
    return tmp_path/'model'

def run(capsys, *argv):
    "Exit status, stdout and stderr of `scene-classify argv`."
    capsys.readouterr()
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err

def predict(capsys, model, data, out, *extra):
    return run(capsys, 'predict', '--model', model, '--data', data, '--out', out, '--quiet', *extra)

def users_folder(path):
    "A folder of a user's, with names the library also uses."
    for sub in ('checkpoint', 'v-2024-photos'): (path/sub).mkdir(parents=True)
    (path/'checkpoint'/'notes.txt').write_text('mine')
    (path/'v-2024-photos'/'a.jpg').write_bytes(b'photo')
    (path/'CURRENT').write_text('my current project\n')
    return path

def intact(path):
    return ((path/'checkpoint'/'notes.txt').read_text(), (path/'v-2024-photos'/'a.jpg').read_bytes(),
            (path/'CURRENT').read_text()) == ('mine', b'photo', 'my current project\n')

# --- nothing a user wrote is deleted or overwritten ---

def test_train_out_refuses_a_users_folder(capsys, data, tmp_path):
    out = users_folder(tmp_path/'mine')
    rc, _, err = run(capsys, 'train', '--data', data, '--out', out, '--quiet', *TRAIN)
    assert rc == 1 and 'pick a new folder' in err and str(out) in err, err
    assert intact(out)

def test_save_refuses_a_users_folder_and_keeps_foreign_versions_in_its_own(made, tmp_path):
    clf = SceneClassifier.load(made[1])
    out = users_folder(tmp_path/'mine')
    with pytest.raises(ValueError, match='pick a new folder'): clf.save(out)
    assert intact(out)
    shutil.copytree(made[1], tmp_path/'model')
    (tmp_path/'model'/'v-2024-photos').mkdir()
    clf.save(tmp_path/'model')
    assert (tmp_path/'model'/'v-2024-photos').is_dir() and len(list((tmp_path/'model').glob('v-2*T*'))) == 1

def test_demo_out_refuses_a_folder_that_is_not_a_demo(capsys, tmp_path):
    out = users_folder(tmp_path/'mine')
    (out/'data').mkdir()
    (out/'data'/'results.csv').write_text('a,b\n')
    rc, _, err = run(capsys, 'demo', '--out', out, '--quiet')
    assert rc == 1 and 'pick a new folder' in err, err
    assert intact(out) and (out/'data'/'results.csv').read_text() == 'a,b\n'

# --- outputs never replace inputs or models ---

def test_predict_out_never_replaces_its_input_or_the_model(capsys, model, data, tmp_path):
    before = (data/'data_test.csv').read_bytes()
    rc, _, err = predict(capsys, model, data, data/'data_test.csv')
    assert rc == 1 and 'would overwrite the --data table' in err, err
    os.link(data/'data_test.csv', tmp_path/'alias.csv') # a second name of the same file
    rc, _, err = predict(capsys, model, data, tmp_path/'alias.csv')
    assert rc == 1 and 'would overwrite the --data table' in err, err
    assert (data/'data_test.csv').read_bytes() == before
    current = (model/'CURRENT').read_text()
    rc, _, err = predict(capsys, model, data, model/'CURRENT')
    assert rc == 1 and 'would overwrite the model folder' in err, err
    assert (model/'CURRENT').read_text() == current

def test_features_out_never_replaces_the_pairs(capsys, data):
    before = (data/'pairs_train.csv').read_bytes()
    rc, _, err = run(capsys, 'features', '--pairs', data/'pairs_train.csv', '--out', data/'pairs_train.csv', '--workers', '0')
    assert rc == 1 and 'would overwrite --pairs' in err, err
    assert (data/'pairs_train.csv').read_bytes() == before

def test_outputs_never_replace_a_users_files(capsys, model, data, tmp_path):
    "An image, classes.txt, an unrelated CSV or a model's CURRENT is never written over; a prediction table is."
    image, classes = data/'images'/'testimg_00000.jpg', data/'classes.txt'
    (tmp_path/'notes.csv').write_text('my,notes\n')
    (tmp_path/'mine_detailed.csv').write_text('my,notes\n')
    kept = {f: f.read_bytes() for f in (image, classes, tmp_path/'notes.csv', tmp_path/'mine_detailed.csv', model/'CURRENT')}
    for out in (image, classes, tmp_path/'notes.csv', tmp_path/'mine.csv'):
        rc, _, err = predict(capsys, model, data, out)
        assert rc == 1 and 'choose another path' in err, (out, err)
    for out in (model/'CURRENT', image):
        rc, _, err = run(capsys, 'features', '--pairs', data/'pairs_train.csv', '--out', out, '--workers', '0')
        assert rc == 1 and ('inside a model folder' in err or 'not a features table' in err), (out, err)
    assert all(f.read_bytes() == b for f,b in kept.items())
    assert predict(capsys, model, data, tmp_path/'p.csv')[0] == 0 and predict(capsys, model, data, tmp_path/'p.csv')[0] == 0

def test_a_missing_weights_file_is_refused_before_any_work(capsys, data, tmp_path):
    rc, _, err = run(capsys, 'train', '--data', data, '--out', tmp_path/'m', '--preset', 'fast', '--set', 'weights=/nonexistent.pth')
    assert rc == 1 and "weights='/nonexistent.pth': no such file" in err, err
    assert not (tmp_path/'m').exists()

def test_predict_out_a_folder_fails_before_predicting(capsys, model, data, tmp_path):
    (tmp_path/'results').mkdir()
    with mock.patch.object(SceneClassifier, 'load', side_effect=AssertionError('loaded')):
        rc, _, err = predict(capsys, model, data, tmp_path/'results')
    assert rc == 1 and 'is a folder: give the CSV file to write' in err, err

# --- concurrent runs are refused, never merged ---

HOLD = '''
import sys, time
from scene_classify.core import run_lock
with run_lock(sys.argv[1]):
    print('locked', flush=True)
    time.sleep(120)
'''

@pytest.fixture
def holder():
    "Start a process that holds the lock file given, and stop it afterwards."
    procs = []
    def hold(path):
        p = subprocess.Popen([sys.executable, '-c', HOLD, str(path)], stdout=subprocess.PIPE, text=True)
        procs.append(p)
        assert p.stdout.readline().strip() == 'locked'
        return p.pid
    yield hold
    for p in procs:
        p.kill()
        p.wait()

def test_two_predicts_on_one_out_fail_at_once(capsys, holder, model, data, tmp_path):
    pid = holder(tmp_path/'.p.csv.parts.lock')
    rc, _, err = predict(capsys, model, data, tmp_path/'p.csv')
    assert rc == 1 and f'pid {pid}' in err and '.p.csv.parts.lock' in err, err
    assert not (tmp_path/'p.csv').exists()

def test_train_and_save_on_a_locked_model_fail_at_once(capsys, holder, made, data, tmp_path):
    shutil.copytree(made[1], tmp_path/'model')
    pid = holder(tmp_path/'model'/LOCK_FILE)
    with mock.patch.object(SceneClassifier, 'fit', side_effect=AssertionError('trained')):
        rc, _, err = run(capsys, 'train', '--data', data, '--out', tmp_path/'model', '--quiet', *TRAIN)
    assert rc == 1 and f'pid {pid}' in err, err
    with pytest.raises(RuntimeError, match=f'pid {pid}'): SceneClassifier.load(made[1]).save(tmp_path/'model')

def test_parts_without_a_plan_are_not_merged(capsys, model, data, tmp_path):
    parts = tmp_path/'p.csv.parts'
    parts.mkdir()
    pd.DataFrame({'IMAGE': ['someone_else.jpg'], 'CLASS': [0]}).to_csv(parts/'part-00000.csv', index=False)
    assert predict(capsys, model, data, tmp_path/'p.csv')[0] == 0
    ids = pd.read_csv(tmp_path/'p.csv', dtype={'Id': str})['Id'].tolist()
    assert ids == read_csv(data/'data_test.csv')['IMAGE'].tolist()

# --- model files are read safely ---

def rewrite_manifest(model):
    "Make the manifest match the files, as someone editing a model by hand would."
    ver = artifact_dir(model)
    man = json.loads((ver/'manifest.json').read_text())
    man['files'] = {n: sha256_file(ver/n) for n in man['files']}
    (ver/'manifest.json').write_text(json.dumps(man))

def test_a_model_file_linked_to_dev_zero_is_refused(model, data, tmp_path):
    f = artifact_dir(model)/'models'/'learner'/'learner.safetensors'
    f.unlink()
    f.symlink_to('/dev/zero')
    cmd = [sys.executable, '-m', 'scene_classify.cli', 'predict', '--model', model, '--data', data, '--out', tmp_path/'p.csv']
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and 'learner.safetensors: not a regular file' in r.stderr, r.stderr[-2000:]

@pytest.mark.parametrize('edit,fragment', [
    (lambda ver: (ver/LEARNER).write_bytes((ver/LEARNER).read_bytes()[:5000]), 'learner.safetensors: not a readable safetensors file'),
    (lambda ver: (ver/'settings.json').write_text(json.dumps(dict(json.loads((ver/'settings.json').read_text()), format=2))),
     "settings.json: no 'hparams' setting, which a format 2 model has"),
    (lambda ver: (ver/'settings.json').write_text(json.dumps({k: v for k,v in json.loads((ver/'settings.json').read_text()).items()
                                                              if k != 'classes'})),
     'settings.json: no classes setting')])
def test_an_edited_model_is_named_with_what_is_wrong(capsys, model, data, tmp_path, edit, fragment):
    edit(artifact_dir(model))
    rewrite_manifest(model)
    rc, _, err = predict(capsys, model, data, tmp_path/'p.csv')
    assert rc == 1 and fragment in err, err

def test_load_while_another_process_saves(made, tmp_path):
    "The version being read is replaced half-way (as another process's save would): the load reads the new one."
    shutil.copytree(made[1], tmp_path/'model')
    import scene_classify.audio as p
    orig, calls = p.load_audio_model, []
    other = SceneClassifier.load(made[1])
    def save_meanwhile(f):
        calls.append(f)
        if len(calls) == 1: other.save(tmp_path/'model')
        return orig(f)
    with mock.patch('scene_classify.audio.load_audio_model', save_meanwhile):
        clf = SceneClassifier.load(tmp_path/'model')
    assert len(calls) == 2 and calls[1].parent == artifact_dir(tmp_path/'model')/'models'/'mfcc_svm' and clf.classes_

def test_model_files_follow_the_umask(made, tmp_path):
    old = os.umask(0o022)
    try: SceneClassifier.load(made[1]).save(tmp_path/'model')
    finally: os.umask(old)
    modes = {f.name: oct(f.stat().st_mode & 0o777) for f in artifact_dir(tmp_path/'model').rglob('*') if f.is_file()}
    assert set(modes.values()) == {'0o644'}, modes

# --- before fit, and signals ---

def test_predict_and_save_before_fit_say_what_to_do(data, tmp_path):
    clf = SceneClassifier('finetune', **KW)
    with pytest.raises(ValueError, match='fit the classifier first, or load one'): clf.predict(data)
    with pytest.raises(ValueError, match='fit the classifier first, or load one'): clf.save(tmp_path/'m')
    assert not (tmp_path/'m').exists()

TERM = '''
import os, signal, sys, time
from pathlib import Path
from scene_classify.cli import main
from scene_classify.pipeline import SceneClassifier
def fit(self, data, split, checkpoint=None, resume=False):
    Path(checkpoint).mkdir(parents=True)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)
SceneClassifier.fit = fit
sys.exit(main(sys.argv[1:]))
'''

def test_sigterm_during_train_says_how_to_resume_and_exits_143(data, tmp_path):
    r = subprocess.run([sys.executable, '-c', TERM, 'train', '--data', str(data), '--out', str(tmp_path/'m'), '--quiet'],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 143 and 'run the same command with --resume' in r.stderr, (r.returncode, r.stderr[-2000:])

def test_ctrl_c_after_the_model_is_saved_exits_0(capsys, data, tmp_path):
    with mock.patch.object(SceneClassifier, 'fit', lambda self, *a, **k: self), \
         mock.patch.object(SceneClassifier, 'save', lambda self, path, **k: path), \
         mock.patch('scene_classify.cli._summary', side_effect=KeyboardInterrupt):
        rc, _, err = run(capsys, 'train', '--data', data, '--out', tmp_path/'m', '--quiet', *TRAIN)
    assert rc == 0 and 'is complete' in err, err

def test_resume_on_a_complete_model_does_not_retrain(capsys, made, data, tmp_path):
    shutil.copytree(made[1], tmp_path/'model')
    with mock.patch.object(SceneClassifier, 'fit', side_effect=AssertionError('trained again')):
        rc, out, err = run(capsys, 'train', '--data', data, '--out', tmp_path/'model', '--resume', *TRAIN)
    assert rc == 0 and 'nothing to resume' in out, out + err

ORPHAN = '''
import multiprocessing as mp, time
from scene_classify.core import children_die_with_parent
children_die_with_parent()
p = mp.get_context('fork').Process(target=time.sleep, args=(120,))
p.start()
print(p.pid, flush=True)
time.sleep(120)
'''

def test_forked_workers_die_with_their_parent():
    "As DataLoader workers are forked: killing the parent (even with SIGKILL) ends the child too."
    parent = subprocess.Popen([sys.executable, '-c', ORPHAN], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    for _ in range(50):
        try: os.kill(child, 0)
        except ProcessLookupError: break
        if open(f'/proc/{child}/stat').read().split(') ')[1][0] == 'Z': break # dead, not yet reaped by init
        time.sleep(0.1)
    else: raise AssertionError(f'worker {child} outlived its parent')
