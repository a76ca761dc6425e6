"Distributed training on CPU: 2 processes (torchrun, gloo) against 1, on the demo data (see nbs/07a_distributed)."
import subprocess, sys
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent
@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    from scene_classify.data import make_demo
    d = tmp_path_factory.mktemp('dist'); data = make_demo(d/'demo', n_train=24, n_test=2)
    args = ['train', '--data', str(data), '--preset', 'finetune', '--arch', 'tf_efficientnet_lite0', '--epochs', '4', '--lr', '2e-3',
            '--size', '64', '--quiet']
    one = subprocess.run([str(BIN/'scene-classify'), *args, '--out', str(d/'one'), '--set', 'bs=16'], capture_output=True, text=True, timeout=900)
    assert one.returncode == 0, one.stderr[-3000:]
    two = subprocess.run([str(BIN/'torchrun'), '--standalone', '--nproc_per_node', '2', '-m', 'scene_classify.cli', *args,
                          '--out', str(d/'two'), '--set', 'bs=8'], capture_output=True, text=True, timeout=900) # same global batch
    assert two.returncode == 0, two.stderr[-3000:]
    return d, data

def _scores(model):
    from scene_classify.artifact import verify_artifact
    return verify_artifact(model)['comparison']

def test_two_processes_match_one(runs):
    d, _ = runs
    one, two = _scores(d/'one'), _scores(d/'two')
    drop = lambda s: {k: v for k,v in s.items() if k not in ('fixed', 'broke', 'gain_lo', 'gain_hi')} # those count against each run's vision
    assert drop(one['audio']) == drop(two['audio'])                       # fitted once, on rank 0: identical
    assert abs(one['vision']['accuracy'] - two['vision']['accuracy']) <= 0.2, (one['vision'], two['vision'])
    assert two['vision']['accuracy'] > 0.3                                 # learned (chance is 1/9)

def test_artifact_written_once(runs):
    d, _ = runs
    assert sorted(p.name for p in (d/'two').iterdir() if not p.name.startswith('v-')) == ['CURRENT', 'scene_classify.json']
    assert len(list((d/'two').glob('v-*'))) == 1

JOINT = '''
import sys, torch
from scene_classify.distributed import *
from scene_classify.data import read_scenes
from scene_classify.block import scene_dls
from scene_classify.joint import joint_learner
init_distributed()
dls = share_mfcc_stats(scene_dls(read_scenes(sys.argv[1]), bs=8, size=64, num_workers=0))
learn = joint_learner(dls, 'tf_efficientnet_lite0', seed=0)
with train_ctx(learn), learn.no_bar(), learn.no_logging(): learn.fine_tune(1, 2e-3)
print('weights', __import__('os').environ['RANK'], round(float(sum(p.double().sum() for p in learn.model.parameters())), 6), flush=True)
'''

def test_joint_network_trains_distributed(runs):
    _, data = runs
    r = subprocess.run([str(BIN/'torchrun'), '--standalone', '--nproc_per_node', '2', '--no-python', sys.executable, '-c', JOINT, str(data)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    w = dict(l.split()[1:] for l in r.stdout.splitlines() if l.startswith('weights'))
    assert set(w) == {'0', '1'} and w['0'] == w['1'], r.stdout # DDP kept both copies identical
