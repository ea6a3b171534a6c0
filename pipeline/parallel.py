"""Scoring pieces of a table in several processes: this one and N-1 workers, the results in order. Used by
`pipeline.stream.score_chunks` for `pubcom score --jobs N`."""
from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from typing import Iterator

from .errors import PubcomError
from .output import Rendered


class ModelRef:
    """What a worker needs to get the model: its folder and card hash (a loky worker loads it once, verified; a
    forked one has it already), or the model itself when it was never saved (it then travels with each piece, as
    arrays: no scikit-learn to import there)."""

    def __init__(self, model):
        path, card = getattr(model, "path", None), getattr(model, "card", None) or {}
        self.path = str(path) if path else None
        self.key = (self.path, card.get("files", {}).get("model.joblib"))
        self.model = None if self.path else (model.for_scoring() if hasattr(model, "for_scoring") else model)


_WORKER_MODELS: dict = {}


def _score_piece(ref: ModelRef, frame, options: dict, render: str | None = None):
    from .score import score_frame

    model = ref.model
    if model is None:
        model = _WORKER_MODELS.get(ref.key)
        if model is None:
            from .registry import load_scorer

            _WORKER_MODELS.clear()
            model = _WORKER_MODELS[ref.key] = load_scorer(ref.path)
    if frame is None:
        return None
    scored = score_frame(model, frame, **options)
    return Rendered(scored, render) if render else scored


def score_parallel(model, pieces, workers: int, options: dict, render: str | None) -> Iterator:
    """Each piece scored, in order, by `workers` worker processes and by this one, which scores a piece itself
    whenever the next result is not ready, so that no process waits. `options` is read when each piece is sent,
    after its chunk was checked.

    Where the platform can fork (Linux), the workers are forked from this process, model loaded: they start in
    milliseconds. Elsewhere they are loky processes, which import and load the model themselves (about a second).
    See `ModelRef` for how a worker gets the model."""
    from collections import deque

    ref = ModelRef(model)
    if ref.path:  # this process scores with it, and forked workers inherit it
        _WORKER_MODELS.clear()
        _WORKER_MODELS[ref.key] = model
    executor = _executor(workers)
    if not isinstance(executor, ProcessPoolExecutor):
        for _ in range(workers):  # warm-up: loky workers import and load the model while this process scores
            executor.submit(_score_piece, ref, None, {})
    pending: deque = deque()  # futures and results, in the order of the pieces
    try:
        yield from _in_order(executor, pieces, pending, ref, workers, options, render)
    except _worker_lost() as exc:  # killed (out of memory, kill -9): the pool cannot go on, and says nothing useful
        raise WorkerLost(f"a worker process of --jobs {workers + 1} stopped unexpectedly (killed, or out of memory?); "
                         "no output file was written: run again, with fewer --jobs") from exc
    finally:
        for head in pending:
            if isinstance(head, Future):
                head.cancel()
        if isinstance(executor, ProcessPoolExecutor):
            executor.shutdown(wait=False, cancel_futures=True)


class WorkerLost(PubcomError):
    """A worker process died while scoring: one line for the user, not the pool's traceback."""


def _worker_lost() -> tuple:
    from concurrent.futures.process import BrokenProcessPool

    errors: tuple = (BrokenProcessPool,)
    try:
        from joblib.externals.loky.process_executor import TerminatedWorkerError

        errors += (TerminatedWorkerError,)
    except ImportError:  # loky is only used where the platform cannot fork
        pass
    return errors


def _in_order(executor, pieces, pending, ref, workers: int, options: dict, render):
    """The results of `pieces`, in order: see `score_parallel`."""
    for piece in pieces:
        pending.append(executor.submit(_score_piece, ref, piece, options, render))
        # Each worker keeps two pieces unfinished (one to do next), so that it never waits while this process
        # scores a piece of its own; this process scores one whenever the workers have enough to do.
        while _unfinished(pending) >= 2 * workers:
            while pending and _ready(pending[0]):
                yield _value(pending.popleft())
            if _unfinished(pending) < 2 * workers:
                break
            local = next(pieces, None)
            if local is None:
                break
            pending.append(_score_piece(ref, local, options, render))
        while pending and _ready(pending[0]):
            yield _value(pending.popleft())
    while pending:
        yield _value(pending.popleft())


def _executor(workers: int):
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    from joblib.externals.loky import get_reusable_executor

    return get_reusable_executor(max_workers=workers)


def _unfinished(pending) -> int:
    return sum(isinstance(entry, Future) and not entry.done() for entry in pending)


def _ready(entry) -> bool:
    return not isinstance(entry, Future) or entry.done()


def _value(entry):
    return entry.result() if isinstance(entry, Future) else entry
