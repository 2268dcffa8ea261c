"""ui/tf_guard.py: a page is not compiled while TensorFlow is being imported (CPython gh-106905)."""
import threading

from streamlit.runtime.scriptrunner.script_cache import ScriptCache

from logreg_core import tf_runtime
from ui import tf_guard


def _compile_in_thread(cache: ScriptCache, path) -> threading.Thread:
    thread = threading.Thread(target=cache.get_bytecode, args=(str(path),), daemon=True)
    thread.start()
    return thread


def test_a_first_compile_waits_for_the_import_and_a_compiled_page_does_not(tmp_path, monkeypatch):
    tf_guard.keep_tensorflow_warm()
    monkeypatch.setattr(tf_runtime, "_tf", None)  # TensorFlow not loaded yet, in this test
    compiled, fresh = tmp_path / "compiled.py", tmp_path / "fresh.py"
    compiled.write_text("x = 1\n")
    fresh.write_text("y = 2\n")
    cache = ScriptCache()
    cache.get_bytecode(str(compiled))

    with tf_runtime._lock:  # what tf_runtime.tensorflow() holds while it imports
        again, first = _compile_in_thread(cache, compiled), _compile_in_thread(cache, fresh)
        again.join(timeout=5)
        first.join(timeout=0.5)
        assert not again.is_alive(), "a page compiled already waited for the import"
        assert first.is_alive(), "a first compile ran during the import"
    first.join(timeout=5)
    assert not first.is_alive()
    namespace = {}
    exec(cache.get_bytecode(str(fresh)), namespace)
    assert namespace["y"] == 2


def test_once_tensorflow_is_loaded_nothing_waits(tmp_path, monkeypatch):
    tf_guard.keep_tensorflow_warm()
    monkeypatch.setattr(tf_runtime, "_tf", object())
    page = tmp_path / "page.py"
    page.write_text("z = 3\n")
    with tf_runtime._lock:
        thread = _compile_in_thread(ScriptCache(), page)
        thread.join(timeout=5)
        assert not thread.is_alive()
