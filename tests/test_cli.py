"The command line as a user runs it: the demo end to end, and a save killed half-way."
import signal, subprocess, sys, time
from pathlib import Path
import pandas as pd, pytest
from scene_classify.artifact import verify_artifact

BIN = Path(sys.executable).parent

@pytest.fixture(scope='module')
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp('demo')/'run'
    r = subprocess.run([str(BIN/'scene-classify'), 'demo', '--out', str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    (out/'log.txt').write_text(r.stdout + r.stderr)
    return out

def test_demo_log_is_whole_lines(demo_run):
    "Piped into a file (as in CI or `> log`), progress comes as whole lines, not carriage-return redraws."
    log = (demo_run/'log.txt').read_text()
    assert '\r' not in log and 'train_loss' in log and len(log.splitlines()) < 150, log[-3000:]

def test_demo_writes_everything(demo_run):
    for f in ['submission.csv', 'submission_detailed.csv', 'model/CURRENT', 'report/report.md', 'report/metrics.json',
              'report/confusion_fused.png', 'report/fallback_curve.png']:
        assert (demo_run/f).exists(), f
    sub = pd.read_csv(demo_run/'submission.csv')
    test = pd.read_csv(demo_run/'data'/'data_test.csv')
    assert sub['Id'].tolist() == test['IMAGE'].tolist() and sub['CLASS'].between(0, 8).all()

def test_predict_and_evaluate_commands(demo_run, tmp_path):
    sc = str(BIN/'scene-classify')
    r = subprocess.run([sc, 'predict', '--model', str(demo_run/'model'), '--data', str(demo_run/'data'), '--out', str(tmp_path/'p.csv'), '--quiet'],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert pd.read_csv(tmp_path/'p.csv').equals(pd.read_csv(demo_run/'submission.csv'))
    r = subprocess.run([sc, 'evaluate', '--model', str(demo_run/'model'), '--data', str(demo_run/'data')], capture_output=True, text=True)
    assert r.returncode == 0 and 'fused' in r.stdout, r.stderr
    # it names the rows it scored; the demo's model was refit on every training row, so it warns they are in-sample
    assert 'scored' in r.stdout and 'the models learnt from' in r.stdout, r.stdout
    assert 'optimistic' in r.stderr, r.stderr

def test_predict_tta(demo_run, tmp_path):
    "`predict --tta` adds test-time augmentation to a model whose recipe has none: the same rows, other vision probabilities."
    from scene_classify.pipeline import SceneClassifier
    clf = SceneClassifier.load(demo_run/'model')
    clf.use_tta(False).save(tmp_path/'plain_model')
    sc = str(BIN/'scene-classify')
    base = [sc, 'predict', '--model', str(tmp_path/'plain_model'), '--data', str(demo_run/'data'), '--quiet']
    for name, extra in (('p', []), ('t', ['--tta'])):
        r = subprocess.run(base + ['--out', str(tmp_path/f'{name}.csv'), *extra], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    tta, plain = pd.read_csv(tmp_path/'t_detailed.csv'), pd.read_csv(tmp_path/'p_detailed.csv')
    vis = [c for c in plain.columns if c.startswith(('vision_', 'joint_'))] # the joint network has TTA whatever the vision model
    assert tta['IMAGE'].equals(plain['IMAGE']) and tta['error'].isna().all()
    assert (tta[vis] - plain[vis]).abs().to_numpy().max() > 1e-4

def test_errors_are_one_line(tmp_path):
    r = subprocess.run([str(BIN/'scene-classify'), 'predict', '--model', str(tmp_path/'none'), '--data', str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr.startswith('error: ') and len(r.stderr.strip().splitlines()) == 1, r.stderr

SLOW_SAVE = '''
import sys, time, scene_classify.audio as p
from scene_classify.pipeline import SceneClassifier
clf = SceneClassifier.load(sys.argv[1])
orig = p.save_audio_model
def slow(*a, **k):
    print('saving', flush=True); time.sleep(60); return orig(*a, **k)
p.save_audio_model = slow
clf.save(sys.argv[1])
'''

def test_killed_save_keeps_previous_model(demo_run):
    from scene_classify.pipeline import SceneClassifier
    model = demo_run/'model'
    before = (model/'CURRENT').read_text()
    proc = subprocess.Popen([sys.executable, '-c', SLOW_SAVE, str(model)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == 'saving'   # the new version is half written
    proc.send_signal(signal.SIGKILL); proc.wait()
    assert (model/'CURRENT').read_text() == before
    pred = SceneClassifier.load(model).predict(demo_run/'data')
    assert len(pred) == 36 and pred['error'].isna().all()

def test_interrupted_train_resumes(demo_run, tmp_path):
    "Ctrl-C during training keeps the finished epochs; `train --resume` continues from them and removes the checkpoint when done."
    out = tmp_path/'model'
    cmd = [str(BIN/'scene-classify'), 'train', '--data', str(demo_run/'data'), '--out', str(out), '--preset', 'finetune',
           '--arch', 'tf_efficientnet_lite0', '--epochs', '3', '--lr', '1e-3', '--size', '64', '--set', 'bs=32',
           '--models', 'learner,mfcc_logreg']
    proc = subprocess.Popen(cmd + ['--quiet'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ck = out/'checkpoint'/'learner.pth'
    deadline = time.time() + 300
    while not ck.exists() and proc.poll() is None and time.time() < deadline: time.sleep(0.2)
    assert ck.exists(), 'no checkpoint was written'
    # A Ctrl-C that lands while a DataLoader worker forks is swallowed by Python's at-fork hooks (as a user's would be),
    # so press again, as a user does, until the process exits; the CLI ignores the extra presses while it says goodbye.
    for _ in range(60):
        proc.send_signal(signal.SIGINT)
        try: _, err = proc.communicate(timeout=2); break
        except subprocess.TimeoutExpired: pass
    else: proc.kill(); raise AssertionError('Ctrl-C did not stop training')
    # 130, or death by SIGINT when a later press lands after Python has restored the default handler on its way out:
    # a shell reports both as 130, and both come after the message
    assert proc.returncode in (130, -signal.SIGINT) and '--resume' in err and 'interrupted' in err, (proc.returncode, err[-2000:])
    assert not (out/'CURRENT').exists()
    r = subprocess.run(cmd + ['--resume'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    # progress lines go to stdout, warnings to stderr
    assert 'resuming vision training' in r.stdout and 'epochs done' in r.stdout, r.stdout[-2000:]
    assert (out/'CURRENT').exists() and not (out/'checkpoint').exists()
    r = subprocess.run(cmd + ['--resume', '--epochs', '1'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and 'no checkpoint' in r.stderr, r.stderr[-2000:] # nothing left to resume: starts over, says so

def test_sharded_predict(demo_run, tmp_path):
    "Two shards split the chunks; the second to finish writes the same submission as one process."
    sc, out = str(BIN/'scene-classify'), tmp_path/'s.csv'
    args = [sc, 'predict', '--model', str(demo_run/'model'), '--data', str(demo_run/'data'), '--out', str(out), '--chunk-size', '10']
    r = subprocess.run(args + ['--shard', '0/2'], capture_output=True, text=True)
    assert r.returncode == 0 and 'chunks present' in r.stdout and not out.exists(), r.stdout + r.stderr
    r = subprocess.run(args + ['--shard', '1/2'], capture_output=True, text=True)
    assert r.returncode == 0 and out.exists(), r.stderr
    assert pd.read_csv(out).equals(pd.read_csv(demo_run/'submission.csv'))
    assert not out.with_name('s.csv.parts').exists()

def test_train_precompute(demo_run, tmp_path):
    "`train --set train=top ... refit=true tta=true`: the head, then the body's last two layers, on stored activations, then all again on every row; predicted with TTA."
    sc, out = str(BIN/'scene-classify'), tmp_path/'model'
    sets = ['train=top', 'top_layers=2', 'freeze_epochs=2', 'bs=32', 'refit=true', 'tta=true']
    r = subprocess.run([sc, 'train', '--data', str(demo_run/'data'), '--out', str(out), '--preset', 'finetune', '--arch', 'tf_efficientnet_lite0',
                        '--epochs', '1', '--lr', '2e-3', '--size', '64', *[a for s in sets for a in ('--set', s)], '--quiet'],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout == '', repr(r.stdout[:200]) # --quiet: not even a progress bar's first character
    s = verify_artifact(out)
    v = s['recipes']['vision']
    assert v['top_layers'] == 2 and v['train'] == 'top' and s['preset'] == 'finetune'
    assert len(s['priors']['train']) == len(s['classes']) # rebalance is the default
    assert s['recipes']['fusion']['refit'] and s['priors']['train'] == s['priors']['target'] # refit models learn the whole table's frequencies
    assert v['tta'] # validated with TTA, so predicted with it by default
    r = subprocess.run([sc, 'predict', '--model', str(out), '--data', str(demo_run/'data'), '--out', str(tmp_path/'p.csv'), '--quiet'],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert len(pd.read_csv(tmp_path/'p.csv')) == len(pd.read_csv(demo_run/'data'/'data_test.csv'))
    r = subprocess.run([sc, 'predict', '--model', str(out), '--data', str(demo_run/'data'), '--out', str(tmp_path/'q.csv'), '--tta', '--quiet'],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    plain, tta = pd.read_csv(tmp_path/'p_detailed.csv'), pd.read_csv(tmp_path/'q_detailed.csv')
    assert plain.filter(like='vision_').equals(tta.filter(like='vision_')) # without --tta it predicted with TTA all the same

def test_fuse_command(demo_run, tmp_path):
    "`fuse` switches a trained model to another strategy without training; data it was not trained on is refused."
    sc, model = str(BIN/'scene-classify'), tmp_path/'model'
    r = subprocess.run([sc, 'train', '--data', str(demo_run/'data'), '--out', str(model), '--preset', 'fast', '--size', '64', '--set', 'refit=false',
                        '--quiet'], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    r = subprocess.run([sc, 'fuse', '--model', str(model), '--data', str(demo_run/'data'), '--strategy', 'late_product', '--report', str(tmp_path/'rep')],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and 'fusion strategy: late_product' in r.stdout, r.stderr[-3000:]
    assert 'gain_lo' in r.stdout and 'gain_lo, gain_hi: 90% interval' in r.stdout # the comparison's gain interval, and what it means
    assert (tmp_path/'rep'/'report.md').exists()
    assert verify_artifact(model)['fusion']['strategy'] == 'late_product'
    r = subprocess.run([sc, 'fuse', '--model', str(model), '--data', str(demo_run/'data'), '--split', 'test'], capture_output=True, text=True)
    assert r.returncode == 1 and 'needs every row labelled' in r.stderr, r.stderr
