"""vinegym protocol v1: MessagePack frames, NDArrays, spaces and error codes (see packages/protocol/PROTOCOL.md)."""
from vinegym.protocol.codec import decode_frame, encode_frame
from vinegym.protocol.errors import ErrorCode, VinegymError

PROTOCOL_VERSION = 1

__all__ = ["PROTOCOL_VERSION", "ErrorCode", "VinegymError", "decode_frame", "encode_frame"]
