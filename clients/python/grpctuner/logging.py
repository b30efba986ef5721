"""Optuna's logging controls (optuna.logging), over the standard logger named "grpctuner"."""
import logging as _logging

CRITICAL, FATAL, ERROR, WARNING, WARN, INFO, DEBUG = (_logging.CRITICAL, _logging.FATAL, _logging.ERROR, _logging.WARNING,
                                                      _logging.WARN, _logging.INFO, _logging.DEBUG)

_logger = _logging.getLogger("grpctuner")


def get_logger(name: str) -> _logging.Logger:
    return _logging.getLogger(name)


def set_verbosity(verbosity: int) -> None:
    _logger.setLevel(verbosity)


def get_verbosity() -> int:
    return _logger.getEffectiveLevel()


def disable_default_handler() -> None:
    _logger.propagate = False


def enable_default_handler() -> None:
    _logger.propagate = True
