"Faults while writing: a full disk never leaves a partial file under the final name, and the old file survives."
import errno, os
import pytest
from scene_classify.core import atomic_write

def _enospc(*a, **k): raise OSError(errno.ENOSPC, 'No space left on device')

@pytest.mark.parametrize('where', ['write', 'fsync'])
def test_disk_full_keeps_old_file_and_no_partial(tmp_path, monkeypatch, where):
    target = tmp_path/'submission.csv'
    target.write_text('Id,CLASS\nold.jpg,1\n')
    if where == 'fsync': monkeypatch.setattr(os, 'fsync', _enospc)
    with pytest.raises(OSError) as e:
        with atomic_write(target) as f:
            f.write('Id,CLASS\n')
            if where == 'write': _enospc()
            f.write('new.jpg,2\n')
    assert e.value.errno == errno.ENOSPC
    assert target.read_text() == 'Id,CLASS\nold.jpg,1\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['submission.csv']

def test_disk_full_on_a_new_file_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(os, 'fsync', _enospc)
    with pytest.raises(OSError):
        with atomic_write(tmp_path/'new.csv') as f: f.write('x')
    assert list(tmp_path.iterdir()) == []
