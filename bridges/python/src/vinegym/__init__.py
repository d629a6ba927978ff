"""vinegym for Python: serve Gymnasium envs over vinegym protocol v1 (`vinegym-bridge serve`), and use vinegym
servers as Gymnasium envs (`RemoteEnv`, `RemoteVectorEnv`, the registered ids `vinegym/...`, and for
Stable-Baselines3 `vinegym.sb3.RemoteVecEnv`)."""
from vinegym._version import __version__
from vinegym.client.connection import VinegymClient
from vinegym.client.remote_env import RemoteEnv
from vinegym.client.remote_vector_env import RemoteVectorEnv
from vinegym.protocol.errors import ErrorCode, VinegymError
from vinegym.registration import register_envs

register_envs()

__all__ = ["ErrorCode", "RemoteEnv", "RemoteVectorEnv", "VinegymClient", "VinegymError", "__version__", "register_envs"]
